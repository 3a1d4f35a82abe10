/**
 * The reference cluster built for real in network namespaces, and real packets through it.
 * Needs root and a kernel with network namespaces, br_netfilter and the iptables matches
 * kube-proxy uses; anywhere else every test is skipped, saying why.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { run } from '../../src/dataplane/realize/exec.js';
import {
  listNamespaces,
  realize,
  sweepStale,
  unsupportedReason,
  type Realized,
} from '../../src/dataplane/realize/netns.js';
import { probe, type ProbeResult } from '../../src/dataplane/realize/probe.js';
import { eventually } from '../helpers/eventually.js';
import { fixtureInput, STORE_BE_VIP } from './fixture.js';

const unsupported = await unsupportedReason();

/** Skips the test (with the reason) when this machine cannot build the network. */
function skipped(t: TestContext): boolean {
  if (unsupported) t.skip(`cannot realize network namespaces here: ${unsupported}`);
  return unsupported !== undefined;
}

const ourNamespaces = async (prefix: string) => (await listNamespaces()).filter((n) => n.startsWith(prefix));

describe('the reference cluster in network namespaces', () => {
  let r: Realized | undefined;

  before(async () => {
    if (!unsupported) r = await realize(fixtureInput());
  });

  after(() => r?.close());

  test('scenario 1: pod → pod on the same node is delivered unchanged', async (t) => {
    if (skipped(t)) return;
    const got = await probe(r!, { pod: 'default/store-be-1' }, { ip: '10.11.0.18', port: 5432 }, 'TCP', 40001);
    assert.deepEqual(got, {
      outcome: 'Delivered',
      deliveredTo: { pod: 'default/db-1', node: 'vm1', ip: '10.11.0.18', port: 5432 },
      observedSource: { ip: '10.11.0.9', port: 40001 },
      replySource: { ip: '10.11.0.18', port: 5432 },
    });
  });

  test('scenario 2: pod → pod across nodes, through the VPC route, keeps both pod addresses', async (t) => {
    if (skipped(t)) return;
    const got = await probe(r!, { pod: 'default/store-be-1' }, { ip: '10.11.8.67', port: 80 }, 'TCP', 40002);
    assert.deepEqual(got, {
      outcome: 'Delivered',
      deliveredTo: { pod: 'default/store-be-3', node: 'vm3', ip: '10.11.8.67', port: 80 },
      observedSource: { ip: '10.11.0.9', port: 40002 },
      replySource: { ip: '10.11.8.67', port: 80 },
    });
  });

  test('scenarios 5 and 6: pod → ClusterIP reaches each of the 3 endpoints, the reply comes from the VIP, hairpin is masqueraded to cbr0', async (t) => {
    if (skipped(t)) return;
    const byPod = new Map<string, ProbeResult>();
    for (let port = 41000; port < 41100 && byPod.size < 3; port++) {
      const got = await probe(r!, { pod: 'default/store-be-1' }, { ip: STORE_BE_VIP, port: 80 }, 'TCP', port);
      assert.equal(got.outcome, 'Delivered', got.error);
      assert.deepEqual(got.replySource, { ip: STORE_BE_VIP, port: 80 });
      byPod.set(got.deliveredTo!.pod!, got);
    }
    assert.deepEqual([...byPod.keys()].sort(), ['default/store-be-1', 'default/store-be-2', 'default/store-be-3']);
    assert.equal(byPod.get('default/store-be-2')!.observedSource!.ip, '10.11.0.9');
    assert.equal(byPod.get('default/store-be-3')!.observedSource!.ip, '10.11.0.9');
    assert.equal(byPod.get('default/store-be-1')!.observedSource!.ip, '10.11.0.1');
  });

  test('scenario 11: pod → 8.8.8.8:53/udp leaves masqueraded, then 1:1 NATed to the external IP', async (t) => {
    if (skipped(t)) return;
    const got = await probe(r!, { pod: 'default/store-be-1' }, { ip: '8.8.8.8', port: 53 }, 'UDP', 40011);
    assert.deepEqual(got, {
      outcome: 'Delivered',
      deliveredTo: { ip: '8.8.8.8', port: 53 },
      observedSource: { ip: '35.0.0.1', port: 40011 },
      replySource: { ip: '8.8.8.8', port: 53 },
    });
  });

  test('scenario 8: a VIP port with no rule leaves the node and is dropped (no VPC route)', async (t) => {
    if (skipped(t)) return;
    assert.deepEqual(
      await probe(r!, { pod: 'default/store-be-1' }, { ip: STORE_BE_VIP, port: 8080 }, 'TCP', 40008, 300),
      { outcome: 'Dropped', error: 'timeout' },
    );
  });

  test('a port the responder does not list is still answered, as port 0', async (t) => {
    if (skipped(t)) return;
    const got = await probe(r!, { node: 'vm2' }, { ip: '10.11.8.68', port: 7777 }, 'UDP', 40012);
    assert.deepEqual(got.deliveredTo, { pod: 'default/store-fe-1', node: 'vm3', ip: '10.11.8.68', port: 0 });
    assert.deepEqual(got.observedSource, { ip: '10.240.0.3', port: 40012 });
  });

  test('the internet reaches a VM only through its external IP, and only where a firewall rule allows', async (t) => {
    if (skipped(t)) return;
    assert.deepEqual(await probe(r!, { internet: '198.51.100.7' }, { ip: '10.11.8.67', port: 80 }, 'TCP', 40013), {
      outcome: 'Dropped',
      error: 'ENETUNREACH',
    });
    assert.deepEqual(await probe(r!, { internet: '198.51.100.7' }, { ip: '35.0.0.3', port: 80 }, 'TCP', 40014, 300), {
      outcome: 'Dropped',
      error: 'timeout',
    });
  });

  test('close removes every namespace and agent', async (t) => {
    if (skipped(t)) return;
    const pids = ['pod:default/store-be-1', 'node:vm1', 'internet'].map((k) => r!.agent(k)!.pid!);
    const t0 = performance.now();
    await r!.close();
    t.diagnostic(
      `realize: setup ${r!.timings.setupMs} ms, agents ${r!.timings.agentsMs} ms; teardown ${Math.round(performance.now() - t0)} ms`,
    );
    assert.deepEqual(await ourNamespaces(r!.prefix), []);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' });
  });
});

test('a failure part-way removes what was built', async (t) => {
  if (skipped(t)) return;
  const input = fixtureInput();
  input.nodes[1].iptablesSave = '*nat\n-A NO-SUCH-CHAIN -j ACCEPT\nCOMMIT\n';
  const before = new Set(await listNamespaces());
  await assert.rejects(realize(input), /iptables-restore --noflush failed/);
  assert.deepEqual(
    (await listNamespaces()).filter((n) => !before.has(n)),
    [],
  );
});

test('the sweep removes a dead run’s namespaces and kills what still runs in them', async (t) => {
  if (skipped(t)) return;
  const dead = spawn('true');
  await new Promise((resolve) => dead.once('exit', resolve));
  const prefix = `kp${dead.pid}-1-`;
  await run({ argv: ['ip', '-batch', '-'], stdin: `netns add ${prefix}vpc\nnetns add ${prefix}inet\n` });
  const sleeper = spawn('ip', ['netns', 'exec', `${prefix}vpc`, 'sleep', '60'], { stdio: 'ignore' });
  const exited = new Promise((resolve) => sleeper.once('exit', resolve));
  await eventually(async () => {
    const pids = (await run({ argv: ['ip', 'netns', 'pids', `${prefix}vpc`] })).split('\n');
    assert.ok(pids.includes(String(sleeper.pid)), 'the sleeper runs in the namespace');
  });
  assert.ok((await sweepStale()).includes(prefix));
  await exited;
  assert.deepEqual(await ourNamespaces(prefix), []);
});

describe('the VPC in network namespaces: anti-spoofing and a missing route', () => {
  let r: Realized | undefined;

  before(async () => {
    if (unsupported) return;
    const input = fixtureInput();
    input.nodes[0].canIpForward = false;
    input.routes = input.routes.filter((route) => route.nextHopNode !== 'vm2');
    r = await realize(input);
  });

  after(() => r?.close());

  const cases: { name: string; from: { pod: string } | { node: string }; to: string; want: ProbeResult['outcome'] }[] =
    [
      {
        name: 'scenario 3: a pod on a VM without canIpForward cannot send from its pod IP',
        from: { pod: 'default/store-be-1' },
        to: '10.11.8.67',
        want: 'Dropped',
      },
      { name: 'that VM still sends from its own address', from: { node: 'vm1' }, to: '10.11.8.67', want: 'Delivered' },
      {
        name: 'nor is anything for its pods delivered to it',
        from: { pod: 'default/store-fe-1' },
        to: '10.11.0.9',
        want: 'Dropped',
      },
      {
        name: 'scenario 4: without its route, a pod CIDR is unreachable',
        from: { pod: 'default/store-fe-1' },
        to: '10.11.5.3',
        want: 'Dropped',
      },
    ];
  for (const [i, tc] of cases.entries()) {
    test(tc.name, async (t) => {
      if (skipped(t)) return;
      const got = await probe(r!, tc.from, { ip: tc.to, port: 80 }, 'TCP', 40100 + i, 300);
      assert.equal(got.outcome, tc.want, JSON.stringify(got));
      if (tc.want === 'Dropped') assert.equal(got.error, 'timeout');
    });
  }
});
