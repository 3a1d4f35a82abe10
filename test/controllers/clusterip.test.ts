import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/apimachinery/errors.js';
import { Bitmap } from '../../src/allocators/bitmap.js';
import { REPAIR_KEY } from '../../controllers/common/range-repair.js';
import { indexedIP, openServiceIPStore, ServiceIPRange } from '../../src/allocators/service-ip-range.js';
import { parseIPv4 } from '../../src/net/ipv4.js';
import type { AdmissionHook } from '../../src/registry/admission.js';
import { registryRoot, resourcePrefix } from '../../src/registry/keys.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';
import { namespaces } from '../../src/registry/kinds/namespace/index.js';
import { events as events_ } from '../../src/registry/kinds/event/index.js';
import { services } from '../../src/registry/kinds/service/index.js';
import { Registry } from '../../src/registry/store.js';
import type { Client, Listers, ReconcileContext } from '../../src/runtime/api.js';
import { FakeClock } from '../../src/runtime/clock.js';
import { kindLookup, LocalClient, localSource } from '../../src/runtime/local.js';
import { Manager } from '../../src/runtime/manager.js';
import { MemoryBackend } from '../../src/storage/memory.js';
import { CacheHub } from '../../src/watch/hub.js';
import { eventually } from '../helpers/eventually.js';
import type { Event } from '../../src/registry/kinds/event/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import {
  clusterIPAdmission,
  type ClusterIPAllocatorOptions,
} from '../../src/registry/kinds/service/cluster-ip-admission.js';
import { clusterIPRepairController, planIPRepair } from '../../controllers/clusterip/repair.js';

import { refusal } from '../helpers/refusal.js';

type Body = Record<string, any>;
const FIXTURE_CIDR = '10.9.0.0/16';

/** A registry like `startCore` builds, with the ClusterIP hook, and the namespace `default`. */
async function startCluster(opts: Partial<ClusterIPAllocatorOptions> & { backend?: MemoryBackend } = {}) {
  const backend = opts.backend ?? new MemoryBackend();
  if (!opts.backend) await backend.start();
  const hub = new CacheHub(backend, {
    root: registryRoot,
    resourcePrefixes: builtinKinds.map((rt) => resourcePrefix(rt)),
  });
  await hub.start();
  const serviceCIDR = opts.serviceCIDR ?? FIXTURE_CIDR;
  const hook = clusterIPAdmission({ ...opts, backend, serviceCIDR });
  const registry = new Registry(backend, hub, { admission: [hook as AdmissionHook] });
  try {
    await registry.create(namespaces, undefined, { metadata: { name: 'default' } });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 409)) throw err;
  }
  const store = openServiceIPStore(backend, serviceCIDR);
  return {
    backend,
    registry,
    /** The IPs the stored bitmap says are taken. */
    taken: async () => (await store.snapshot()).allocated().map((i) => store.range.itemAt(i)),
    create: (body: Body, dryRun = false) => registry.create(services, 'default', body, { dryRun }) as Promise<Service>,
    close: () => hub.stop(),
  };
}

function svc(name: string, spec: Body = {}): Body {
  return { metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

test('scenario 24: kubernetes gets the first address, kube-dns its requested static-band IP', async () => {
  const c = await startCluster();
  const kubernetes = await c.create(svc('kubernetes', { clusterIP: indexedIP(FIXTURE_CIDR, 1) }));
  assert.equal(kubernetes.spec.clusterIP, '10.9.0.1');
  const dns = await c.create(svc('kube-dns', { clusterIP: '10.9.0.10' }));
  assert.equal(dns.spec.clusterIP, '10.9.0.10');
  assert.deepEqual(dns.spec.clusterIPs, ['10.9.0.10']);
  assert.deepEqual([dns.spec.ipFamilies, dns.spec.ipFamilyPolicy], [['IPv4'], 'SingleStack']);
  assert.deepEqual(await c.taken(), ['10.9.0.1', '10.9.0.10']);
  c.close();
});

test('scenario 24: a second request for a taken IP is a 422 with upstream text', async () => {
  const c = await startCluster();
  await c.create(svc('kube-dns', { clusterIP: '10.9.0.10' }));
  const err = await refusal(c.create(svc('dns-copy', { clusterIP: '10.9.0.10' })));
  assert.equal(err.code, 422);
  assert.equal(
    err.message,
    'Service "dns-copy" is invalid: spec.clusterIPs: Invalid value: []string{"10.9.0.10"}: failed to allocate IP 10.9.0.10: provided IP is already allocated',
  );
  assert.equal(err.details?.causes?.[0]?.field, 'spec.clusterIPs');
  c.close();
});

const outOfRangeCases = [
  { wording: undefined, text: 'failed to allocate IP 10.0.0.10: provided IP 10.0.0.10 is not in the valid range' },
  {
    wording: 'current' as const,
    text: 'failed to allocate IP 10.0.0.10: provided IP 10.0.0.10 is not in the valid range',
  },
  {
    wording: 'legacy' as const,
    text: 'failed to allocate IP 10.0.0.10: the provided IP (10.0.0.10) is not in the valid range. The range of valid IPs is 10.9.0.0/16',
  },
];
for (const tc of outOfRangeCases) {
  test(`scenario 24: the talk's 10.0.0.10 is outside 10.9.0.0/16 (${tc.wording ?? 'default'} wording)`, async () => {
    const c = await startCluster({ notInRangeWording: tc.wording });
    const err = await refusal(c.create(svc('kube-dns', { clusterIP: '10.0.0.10' })));
    assert.equal(err.code, 422);
    assert.equal(
      err.message,
      `Service "kube-dns" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: ${tc.text}`,
    );
    assert.deepEqual(await c.taken(), []);
    c.close();
  });
}

test('the network and broadcast addresses cannot be requested', async () => {
  const c = await startCluster();
  for (const ip of ['10.9.0.0', '10.9.255.255']) {
    const err = await refusal(c.create(svc('edge', { clusterIP: ip })));
    assert.match(
      err.message,
      new RegExp(`failed to allocate IP ${ip.replace(/\./g, '\\.')}: provided IP .* is not in the valid range`),
    );
  }
  c.close();
});

test('scenario 24: 1000 dynamic allocations are distinct and all in the dynamic band', async () => {
  const c = await startCluster();
  const created = await Promise.all(Array.from({ length: 1000 }, (_, i) => c.create(svc(`s${i}`))));
  const ips = created.map((s) => s.spec.clusterIP!);
  assert.equal(new Set(ips).size, 1000);
  const [low, high] = [parseIPv4('10.9.1.1'), parseIPv4('10.9.255.254')];
  const outside = ips.filter((ip) => parseIPv4(ip) < low || parseIPv4(ip) > high);
  assert.deepEqual(outside, []);
  assert.equal((await c.taken()).length, 1000);
  c.close();
});

test('dynamic allocation starts in the dynamic band; a /28 has no band', async () => {
  const wide = await startCluster({ random: () => 0 });
  assert.equal((await wide.create(svc('a'))).spec.clusterIP, '10.9.1.1');
  wide.close();
  const small = await startCluster({ serviceCIDR: '10.9.0.0/28', random: () => 0 });
  assert.equal(ServiceIPRange.parse('10.9.0.0/28').offset, 0);
  assert.equal((await small.create(svc('a'))).spec.clusterIP, '10.9.0.1');
  small.close();
});

test('a full range is a 500 with upstream text', async () => {
  const c = await startCluster({ serviceCIDR: '10.9.0.0/28' });
  for (let i = 0; i < 14; i++) await c.create(svc(`s${i}`));
  const err = await refusal(c.create(svc('one-too-many')));
  assert.equal(err.code, 500);
  assert.equal(err.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
  c.close();
});

test('scenario 24: delete frees the IP for reuse', async () => {
  const c = await startCluster();
  await c.create(svc('kube-dns', { clusterIP: '10.9.0.10' }));
  await c.registry.delete(services, 'default', 'kube-dns');
  assert.deepEqual(await c.taken(), []);
  assert.equal((await c.create(svc('kube-dns-2', { clusterIP: '10.9.0.10' }))).spec.clusterIP, '10.9.0.10');
  c.close();
});

test('a create that fails validation after allocating gives the IP back', async () => {
  const c = await startCluster();
  const invalid = svc('bad', { clusterIP: '10.9.0.20', sessionAffinity: 'Sometimes' });
  const err = await refusal(c.create(invalid));
  assert.equal(err.code, 422);
  assert.match(err.message, /spec\.sessionAffinity/);
  const dynamic = await refusal(c.create(svc('bad-dynamic', { sessionAffinity: 'Sometimes' })));
  assert.equal(dynamic.code, 422);
  assert.deepEqual(await c.taken(), [], 'both allocations were reverted');
  assert.equal((await c.create(svc('good', { clusterIP: '10.9.0.20' }))).spec.clusterIP, '10.9.0.20');
  c.close();
});

test('a create that loses to an existing name gives the IP back', async () => {
  const c = await startCluster();
  await c.create(svc('web', { clusterIP: '10.9.0.30' }));
  const err = await refusal(c.create(svc('web', { clusterIP: '10.9.0.31' })));
  assert.equal(err.code, 409);
  assert.deepEqual(await c.taken(), ['10.9.0.30']);
  c.close();
});

test('headless and ExternalName Services get no IP', async () => {
  const c = await startCluster();
  const headless = await c.create(svc('db', { clusterIP: 'None' }));
  assert.deepEqual(
    [headless.spec.clusterIP, headless.spec.clusterIPs, headless.spec.ipFamilyPolicy],
    ['None', ['None'], 'SingleStack'],
  );
  const bare = await c.create({ metadata: { name: 'bare' }, spec: { clusterIP: 'None' } });
  assert.deepEqual(
    [bare.spec.ipFamilyPolicy, bare.spec.ipFamilies],
    ['RequireDualStack', ['IPv4', 'IPv6']],
    'headless without selector, as upstream',
  );
  const ext = await c.create({
    metadata: { name: 'ext' },
    spec: { type: 'ExternalName', externalName: 'example.com' },
  });
  assert.deepEqual(
    [ext.spec.clusterIP, ext.spec.ipFamilies, ext.spec.ipFamilyPolicy],
    [undefined, undefined, undefined],
  );
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('dual-stack demands and IPv6 are refused on this IPv4 cluster', async () => {
  const c = await startCluster();
  const dual = await refusal(c.create(svc('dual', { ipFamilyPolicy: 'RequireDualStack' })));
  assert.equal(
    dual.message,
    'Service "dual" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
  );
  const v6 = await refusal(c.create(svc('v6', { ipFamilies: ['IPv6'] })));
  assert.equal(
    v6.message,
    'Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster',
  );
  const v6ip = await refusal(c.create(svc('v6ip', { clusterIP: 'fd00::10' })));
  assert.equal(
    v6ip.message,
    'Service "v6ip" is invalid: spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster',
  );
  assert.deepEqual(await c.taken(), []);
  c.close();
});

test('a dry run shows an IP but takes none; a taken request still fails', async () => {
  const c = await startCluster();
  const dry = await c.create(svc('preview'), true);
  assert.ok(ServiceIPRange.parse(FIXTURE_CIDR).indexOf(dry.spec.clusterIP!) !== undefined);
  assert.deepEqual(await c.taken(), []);
  await c.create(svc('kube-dns', { clusterIP: '10.9.0.10' }));
  const err = await refusal(c.create(svc('dns-copy', { clusterIP: '10.9.0.10' }), true));
  assert.equal(err.code, 422);
  assert.deepEqual(await c.taken(), ['10.9.0.10']);
  c.close();
});

test('updates keep the IP, release it for ExternalName on commit, allocate when leaving ExternalName', async () => {
  const c = await startCluster();
  const created = await c.create(svc('web'));
  const ip = created.spec.clusterIP!;
  // A PUT that omits clusterIP (kubectl replace of the original manifest) keeps it.
  const replaced = await c.registry.update(
    services,
    'default',
    'web',
    { ...svc('web'), spec: { ...svc('web').spec, ports: [{ port: 8080 }] } },
    undefined,
  );
  assert.deepEqual([replaced.spec.clusterIP, replaced.spec.clusterIPs], [ip, [ip]]);
  const external = await c.registry.patch(
    services,
    'default',
    'web',
    'merge',
    { spec: { type: 'ExternalName', externalName: 'example.com' } },
    undefined,
  );
  assert.deepEqual([external.spec.clusterIP, external.spec.clusterIPs], [undefined, undefined]);
  assert.deepEqual(await c.taken(), []);
  const back = await c.registry.patch(
    services,
    'default',
    'web',
    'merge',
    { spec: { type: 'ClusterIP', externalName: null } },
    undefined,
  );
  assert.ok(back.spec.clusterIP);
  assert.deepEqual([back.spec.ipFamilies, back.spec.ipFamilyPolicy], [['IPv4'], 'SingleStack']);
  assert.deepEqual(await c.taken(), [back.spec.clusterIP]);
  c.close();
});

test('an update that fails validation keeps the old IP and frees the new one', async () => {
  const c = await startCluster();
  await c.create({ metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  const err = await refusal(
    c.registry.patch(
      services,
      'default',
      'ext',
      'merge',
      {
        spec: {
          type: 'ClusterIP',
          externalName: null,
          clusterIP: '10.9.0.40',
          ports: [{ port: 80 }],
          sessionAffinity: 'Sometimes',
        },
      },
      undefined,
    ),
  );
  assert.equal(err.code, 422);
  assert.deepEqual(await c.taken(), []);
  const web = await c.create(svc('web', { clusterIP: '10.9.0.50' }));
  const failed = await refusal(
    c.registry.patch(
      services,
      'default',
      'web',
      'merge',
      { spec: { type: 'ExternalName', externalName: '-bad-' } },
      undefined,
    ),
  );
  assert.equal(failed.code, 422);
  assert.deepEqual(await c.taken(), [web.spec.clusterIP], 'a release waits for a commit that never came');
  c.close();
});

test('two API servers sharing one store never hand out an IP twice', async () => {
  const backend = new MemoryBackend();
  await backend.start();
  const a = await startCluster({ backend, serviceCIDR: '10.9.0.0/24' });
  const b = await startCluster({ backend, serviceCIDR: '10.9.0.0/24' });
  const created = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).create(svc(`s${i}`))));
  assert.equal(new Set(created.map((s) => s.spec.clusterIP)).size, 200);
  assert.equal((await a.taken()).length, 200);
  a.close();
  b.close();
});

// --- repair ---------------------------------------------------------------------------------

const range = ServiceIPRange.parse(FIXTURE_CIDR);
const service = (name: string, clusterIP?: string, type = 'ClusterIP'): Service =>
  ({
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { type, clusterIP, clusterIPs: clusterIP ? [clusterIP] : undefined },
  }) as Service;
const bits = (...ips: string[]) => {
  const b = new Bitmap(range.size, range.offset);
  for (const ip of ips) b.allocate(range.indexOf(ip)!);
  return b;
};
const ipsOf = (b: Bitmap) => b.allocated().map((i) => range.itemAt(i));

const planCases = [
  {
    name: 'consistent state: nothing to report',
    services: [service('a', '10.9.0.10')],
    stored: ['10.9.0.10'],
    bitmap: ['10.9.0.10'],
    events: [],
  },
  {
    name: 'an IP in use but not allocated is repaired',
    services: [service('a', '10.9.0.10')],
    stored: [],
    bitmap: ['10.9.0.10'],
    events: [['a', 'ClusterIPNotAllocated', 'Cluster IP 10.9.0.10 is not allocated; repairing']],
  },
  {
    name: 'an IP used twice is reported on the second Service',
    services: [service('a', '10.9.0.10'), service('b', '10.9.0.10')],
    stored: ['10.9.0.10'],
    bitmap: ['10.9.0.10'],
    events: [
      [
        'b',
        'ClusterIPAlreadyAllocated',
        'Cluster IP 10.9.0.10 was assigned to multiple services; please recreate service',
      ],
    ],
  },
  {
    name: 'an IP outside the CIDR is reported and not stored',
    services: [service('a', '10.0.0.10')],
    stored: [],
    bitmap: [],
    events: [
      [
        'a',
        'ClusterIPOutOfRange',
        'Cluster IP 10.0.0.10 is not within the service CIDR 10.9.0.0/16; please recreate service',
      ],
    ],
  },
  {
    name: 'headless and ExternalName Services hold nothing',
    services: [service('h', 'None'), service('e', undefined, 'ExternalName')],
    stored: [],
    bitmap: [],
    events: [],
  },
  {
    name: 'an orphaned bit is kept on its first pass',
    services: [],
    stored: ['10.9.3.76'],
    bitmap: ['10.9.3.76'],
    events: [],
  },
];
for (const tc of planCases) {
  test(`planIPRepair: ${tc.name}`, () => {
    const stored = bits(...tc.stored);
    const plan = planIPRepair(tc.services, stored, new Map(), range);
    assert.deepEqual(ipsOf(plan.bitmap), tc.bitmap);
    assert.deepEqual(
      plan.events.map((e) => [e.service.metadata.name, e.reason, e.message]),
      tc.events,
    );
    assert.deepEqual(ipsOf(stored), tc.stored, 'the input bitmap is untouched');
  });
}

test('planIPRepair: an orphaned bit is freed on the third pass; one that gets used is forgiven', () => {
  let stored = bits('10.9.3.76', '10.9.3.77');
  let leaks: ReadonlyMap<string, number> = new Map();
  const kept: string[][] = [];
  for (let pass = 1; pass <= 3; pass++) {
    const users = pass === 2 ? [service('late', '10.9.3.77')] : [];
    const plan = planIPRepair(users, stored, leaks, range);
    kept.push(ipsOf(plan.bitmap));
    [stored, leaks] = [plan.bitmap, plan.leaks];
  }
  assert.deepEqual(kept, [['10.9.3.76', '10.9.3.77'], ['10.9.3.76', '10.9.3.77'], ['10.9.3.77']]);
  assert.deepEqual([...leaks], [['10.9.3.77', 1]], 'the forgiven IP starts a fresh grace period');
});

/** A reconcile context over a registry: the lister reads its cache, the client creates Events. */
function fakeContext(registry: Registry, clock: { now: number }, events: Event[]): ReconcileContext {
  const listers = {
    Service: {
      list: () => registry.list(services, undefined, { watch: false, allowWatchBookmarks: false }).items as Service[],
    },
  } as unknown as Listers;
  const client = {
    async create(_kind: string, obj: Event) {
      events.push(obj);
      return obj;
    },
  } as unknown as Client;
  const log = { info() {}, error() {}, debug() {} };
  return { signal: new AbortController().signal, log, now: () => clock.now, listers, client };
}

test('the repair controller repairs, frees a leak after three passes and paces itself', async () => {
  const c = await startCluster();
  const controller = clusterIPRepairController({ backend: c.backend, serviceCIDR: FIXTURE_CIDR, intervalMs: 1000 });
  assert.deepEqual([controller.name, controller.for], ['clusterip-repair', 'Service']);
  const web = await c.create(svc('web', { clusterIP: '10.9.0.10' }));
  const store = openServiceIPStore(c.backend, FIXTURE_CIDR);
  await store.transact((b) => {
    b.release(range.indexOf('10.9.0.10')!);
    b.allocate(range.indexOf('10.9.3.76')!);
  });
  const clock = { now: 0 };
  const events: Event[] = [];
  const ctx = fakeContext(c.registry, clock, events);

  assert.equal(
    await controller.reconcile(ctx, { namespace: 'default', name: 'web' }),
    undefined,
    'Service keys are not the repair key',
  );
  assert.deepEqual(await controller.reconcile(ctx, REPAIR_KEY), { requeueAfterMs: 1000 });
  assert.deepEqual(await c.taken(), ['10.9.0.10', '10.9.3.76']);
  assert.deepEqual(
    events.map((e) => [e.involvedObject.name, e.involvedObject.uid, e.reason, e.type, e.message, e.metadata.namespace]),
    [
      [
        'web',
        web.metadata.uid,
        'ClusterIPNotAllocated',
        'Warning',
        'Cluster IP 10.9.0.10 is not allocated; repairing',
        'default',
      ],
    ],
  );

  clock.now = 400;
  assert.deepEqual(await controller.reconcile(ctx, REPAIR_KEY), { requeueAfterMs: 600 }, 'too early: not a pass');
  for (const now of [1000, 2000]) {
    clock.now = now;
    await controller.reconcile(ctx, REPAIR_KEY);
  }
  assert.deepEqual(await c.taken(), ['10.9.0.10'], 'the orphan is freed on the third pass');
  assert.equal(events.length, 1);
  c.close();
});

test('under the controller runtime, Service events start the repair and the clock paces its passes', async () => {
  const c = await startCluster();
  const web = await c.create(svc('web'));
  const ip = web.spec.clusterIP!;
  await openServiceIPStore(c.backend, FIXTURE_CIDR).transact((b) => {
    b.release(range.indexOf(ip)!);
    b.allocate(range.indexOf('10.9.200.1')!);
  });
  const lookup = kindLookup(builtinKinds);
  const clock = new FakeClock(0);
  const manager = new Manager({
    controllers: [clusterIPRepairController({ backend: c.backend, serviceCIDR: FIXTURE_CIDR, intervalMs: 1000 })],
    source: (kind) => localSource(c.registry, lookup(kind)),
    client: new LocalClient(c.registry, lookup),
    clock,
  });
  await manager.start();
  const recorded = () =>
    c.registry.list(events_, 'default', { watch: false, allowWatchBookmarks: false }).items as Event[];
  // Polled, not settled: the repair requeues itself forever, so its queue never goes idle.
  await eventually(async () => assert.ok(recorded().length > 0, 'the first pass'), 5000, 5);
  assert.deepEqual((await c.taken()).sort(), [ip, '10.9.200.1'].sort());
  assert.deepEqual(
    recorded().map((e) => [e.reason, e.involvedObject.name, e.message]),
    [['ClusterIPNotAllocated', 'web', `Cluster IP ${ip} is not allocated; repairing`]],
  );
  for (const due of [1000, 2000]) {
    await eventually(
      async () => assert.equal(clock.nextTimerAt(), due, `the requeue after the pass before ${due} ms`),
      5000,
      5,
    );
    clock.advance(1000);
  }
  await eventually(async () => assert.equal((await c.taken()).length, 1, 'the third pass'), 5000, 5);
  assert.deepEqual(await c.taken(), [ip], 'the orphan is freed on the third pass');
  await manager.stop();
  c.close();
});
