import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IngressWarnings } from '../../controllers/ingress-gce/warnings.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import { FakeCluster } from './fake-context.js';

const ing: Ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { namespace: 'default', name: 'store', uid: 'u1' },
  spec: {},
};
const translate = {
  reason: 'Translate',
  message:
    'Translation failed: service "default/customers-be" is type "ClusterIP", expected "NodePort" or "LoadBalancer"',
};
const other = { reason: 'Translate', message: 'Translation failed: could not find service "default/nope"' };

async function eventsAfter(
  cluster: FakeCluster,
  run: () => Promise<void>,
): Promise<{ created: number; updated: number }> {
  // Writes to an existing Event: the recorder aggregates a repeat into a patch of it.
  const rewrites = () => cluster.callsOf('update', 'Event').length + cluster.callsOf('patch', 'Event').length;
  const [c0, u0] = [cluster.callsOf('create', 'Event').length, rewrites()];
  await run();
  return { created: cluster.callsOf('create', 'Event').length - c0, updated: rewrites() - u0 };
}

test('IngressWarnings: a warning is recorded once, even while the Event cache has not seen it', async () => {
  const cluster = new FakeCluster();
  cluster.stale();
  const warnings = new IngressWarnings();
  assert.deepEqual(await eventsAfter(cluster, () => warnings.report(cluster.ctx(), ing, [translate])), {
    created: 1,
    updated: 0,
  });
  assert.deepEqual(await eventsAfter(cluster, () => warnings.report(cluster.ctx(), ing, [translate])), {
    created: 0,
    updated: 0,
  });
  assert.deepEqual(
    await eventsAfter(cluster, () => warnings.report(cluster.ctx(), ing, [translate, other])),
    { created: 1, updated: 0 },
    'a new message is recorded',
  );
  const [event] = cluster
    .callsOf('create', 'Event')
    .map((c) => c.body as { type: string; reason: string; message: string; source: { component: string } });
  assert.deepEqual(
    { type: event.type, reason: event.reason, message: event.message, component: event.source.component },
    { type: 'Warning', ...translate, component: 'loadbalancer-controller' },
  );
});

test('IngressWarnings: a new process finds the stored Event and does not repeat it; another Ingress uid gets its own', async () => {
  const cluster = new FakeCluster();
  await new IngressWarnings().report(cluster.ctx(), ing, [translate]);
  const restarted = new IngressWarnings();
  assert.deepEqual(await eventsAfter(cluster, () => restarted.report(cluster.ctx(), ing, [translate])), {
    created: 0,
    updated: 0,
  });
  const recreated = { ...ing, metadata: { ...ing.metadata, uid: 'u2' } };
  assert.deepEqual(await eventsAfter(cluster, () => restarted.report(cluster.ctx(), recreated, [translate])), {
    created: 1,
    updated: 0,
  });
});
