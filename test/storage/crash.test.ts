/**
 * kill -9 durability: every write the LevelDB backend acknowledged must survive the process dying
 * mid-stream (without sync, LevelDB's log write is in the OS page cache, which outlives the process).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LevelBackend } from '../../src/storage/level.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITER_SCRIPT = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const KILL_AFTER_ACKS = 300;
/** A writer that stalls must not hang the suite. */
const WRITER_DEADLINE_MS = 20_000;

interface Ack {
  key: string;
  revision: number;
  seq: number;
}

/** Runs the writer, SIGKILLs it after enough acknowledgements, returns every line it printed. */
async function runAndKill(dbPath: string): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER_SCRIPT, dbPath], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const deadline = setTimeout(() => child.kill('SIGKILL'), WRITER_DEADLINE_MS);
  const acks: Ack[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const [key, revision, seq] = line.split(' ');
    acks.push({ key, revision: Number(revision), seq: Number(seq) });
    if (acks.length === KILL_AFTER_ACKS) child.kill('SIGKILL');
  }
  clearTimeout(deadline);
  assert.equal(await exited, 'SIGKILL', `writer did not run until killed: ${stderr}`);
  return acks;
}

test('acknowledged writes survive kill -9 and the revision keeps rising', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kplane-crash-'));
  const dbPath = join(dir, 'db');
  try {
    const acks = await runAndKill(dbPath);
    assert.ok(acks.length >= KILL_AFTER_ACKS, `only ${acks.length} acknowledged writes`);

    const backend = new LevelBackend({ path: dbPath });
    await backend.start();
    try {
      const latest = new Map<string, Ack>();
      for (const ack of acks) if ((latest.get(ack.key)?.revision ?? 0) < ack.revision) latest.set(ack.key, ack);
      for (const ack of latest.values()) {
        const { kv } = await backend.get(ack.key);
        assert.ok(kv, `acknowledged key ${ack.key} is missing`);
        assert.ok(
          kv.modRevision >= ack.revision,
          `${ack.key}: modRevision ${kv.modRevision} < acknowledged ${ack.revision}`,
        );
        assert.ok(
          (JSON.parse(kv.value) as { seq: number }).seq >= ack.seq,
          `${ack.key}: value older than acknowledged`,
        );
      }
      const maxAcked = Math.max(...acks.map((a) => a.revision));
      assert.ok((await backend.currentRevision()) >= maxAcked);
      assert.ok((await backend.create('/registry/crash/after', 'v')) > maxAcked);
    } finally {
      await backend.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
