import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import Fastify from 'fastify';
import { z } from 'zod';

/**
 * The benchmark's baseline: the least a create can do here — a bare fastify route that validates
 * the body with zod and writes one LevelDB batch (object + log entry + revision).
 */
const PodLike = z.looseObject({
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({ containers: z.array(z.looseObject({ name: z.string(), image: z.string() })) }),
});

const db = new ClassicLevel<string, string>(join(mkdtempSync(join(tmpdir(), 'kplane-baseline-')), 'db'), {
  valueEncoding: 'utf8',
});
await db.open();
let revision = 0;
const app = Fastify({ logger: false });
app.post('/pods', async (req, reply) => {
  const parsed = PodLike.safeParse(req.body);
  if (!parsed.success) return reply.code(422).send({ error: parsed.error.message });
  const rev = ++revision;
  const value = JSON.stringify(parsed.data);
  await db.batch([
    { type: 'put', key: `cur/${parsed.data.metadata.name}`, value },
    { type: 'put', key: `log/${rev.toString(16).padStart(16, '0')}`, value },
    { type: 'put', key: 'meta/rev', value: String(rev) },
  ]);
  return reply.code(201).send({ ...parsed.data, metadata: { ...parsed.data.metadata, resourceVersion: String(rev) } });
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`baseline listening on ${(app.server.address() as { port: number }).port}\n`);
