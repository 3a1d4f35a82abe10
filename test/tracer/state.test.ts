import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTraceCluster } from '../helpers/trace-cluster.js';

test('recent lists keep the last 100 sources per list, as xt_recent does', async () => {
  const cluster = await startTraceCluster({
    nodes: [{ name: 'vm1', internalIP: '10.240.0.2', podCIDR: '10.4.0.0/24' }],
  });
  try {
    const state = cluster.dataplane.state;
    for (let i = 0; i < 150; i++) state.recordRecent('vm1', 'KUBE-SEP-X', `10.4.0.${i}`, i);
    state.recordRecent('vm1', 'KUBE-SEP-X', '10.4.0.60', 200);
    const list = state.recent('vm1').get('KUBE-SEP-X')!;
    assert.equal(list.size, 100);
    assert.equal(list.has('10.4.0.49'), false, 'the oldest are forgotten');
    assert.deepEqual([...list.keys()].slice(-1), ['10.4.0.60'], 'seeing a source again makes it the newest');
  } finally {
    await cluster.close();
  }
});
