import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Answer } from 'dns-packet';
import type { Endpoints } from '../../src/registry/kinds/endpoints/schema.js';
import type { Namespace } from '../../src/registry/kinds/namespace/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { ZoneIndex, type LookupResult, type ZoneChange } from '../../src/dns/records.js';

const serial = 1700000000;
const soa = `cluster.local 5 SOA ns.dns.cluster.local hostmaster.cluster.local ${serial} 7200 1800 86400 5`;
const reverseSoa = `in-addr.arpa 5 SOA ns.dns.in-addr.arpa hostmaster.in-addr.arpa ${serial} 7200 1800 86400 5`;

type PortSpec = { name?: string; port: number; protocol?: string };

function namespace(name: string): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as Namespace;
}

function service(ns: string, name: string, spec: Record<string, unknown>): Service {
  const ports = ((spec.ports as PortSpec[] | undefined) ?? []).map((p) => ({ protocol: 'TCP', ...p }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: { type: 'ClusterIP', ...spec, ports },
  } as unknown as Service;
}

function endpoints(
  ns: string,
  name: string,
  ready: { ip: string; hostname?: string }[],
  ports: PortSpec[],
  notReady: string[] = [],
): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { namespace: ns, name },
    subsets: [
      {
        addresses: ready,
        notReadyAddresses: notReady.map((ip) => ({ ip })),
        ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
      },
    ],
  } as Endpoints;
}

function pod(ns: string, name: string, ip: string, terminating = false): Pod {
  const metadata = { namespace: ns, name, ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata,
    spec: { containers: [] },
    status: { podIP: ip, podIPs: [{ ip }] },
  } as unknown as Pod;
}

const http = { name: 'http', port: 80 };

/** The reference cluster's names: store-be, the headless `hl` over the three store pods, and friends. */
function fixture(): ZoneChange[] {
  const objects: ZoneChange[] = [
    ...['default', 'kube-system', 'test'].map((n) => ({
      kind: 'Namespace' as const,
      object: namespace(n),
      deleted: false,
    })),
    ...[
      service('default', 'store-be', { clusterIP: '10.9.3.76', clusterIPs: ['10.9.3.76'], ports: [http] }),
      service('default', 'hl', { clusterIP: 'None', ports: [http] }),
      service('default', 'web', { clusterIP: 'None', ports: [http] }),
      service('default', 'empty-hl', { clusterIP: 'None', ports: [http] }),
      service('default', 'noports-hl', { clusterIP: 'None' }),
      service('default', 'multi', {
        clusterIP: '10.9.0.50',
        ports: [http, { port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }],
      }),
      service('default', 'ext', { type: 'ExternalName', externalName: 'example.com' }),
      service('default', 'alias', { type: 'ExternalName', externalName: 'Store-Be.default.svc.cluster.local.' }),
      service('default', 'ipext', { type: 'ExternalName', externalName: '1.2.3.4' }),
      service('kube-system', 'kube-dns', {
        clusterIP: '10.9.0.10',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53 },
        ],
      }),
    ].map((object) => ({ kind: 'Service' as const, object, deleted: false })),
    ...[
      endpoints('default', 'store-be', [{ ip: '10.11.0.9' }, { ip: '10.11.5.3' }], [http]),
      endpoints(
        'default',
        'hl',
        [{ ip: '10.11.0.9' }, { ip: '10.11.5.3' }, { ip: '10.11.8.67' }],
        [http],
        ['10.11.0.18'],
      ),
      endpoints('default', 'web', [{ ip: '10.11.0.20', hostname: 'web-0' }], [http]),
      endpoints('default', 'empty-hl', [], [http], ['10.11.0.30']),
      endpoints('default', 'noports-hl', [{ ip: '10.11.0.40' }], []),
    ].map((object) => ({ kind: 'Endpoints' as const, object, deleted: false })),
    { kind: 'Pod', object: pod('default', 'store-1', '10.11.0.9'), deleted: false },
    { kind: 'Pod', object: pod('default', 'leaving', '10.11.0.77', true), deleted: false },
  ];
  return objects;
}

function zone(ttl = 5): ZoneIndex {
  const index = new ZoneIndex({ zone: 'cluster.local', ttl, serial });
  for (const change of fixture()) index.apply(change);
  return index;
}

type Rr = { name: string; ttl: number; type: string; data: unknown };

/** `owner ttl TYPE data`, the way dig prints a record, without the class and trailing dots. */
function show(answer: Answer): string {
  const rr = answer as Rr;
  const data = rr.data;
  if (rr.type === 'SRV') {
    const d = data as { priority: number; weight: number; port: number; target: string };
    return `${rr.name} ${rr.ttl} SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
  }
  if (rr.type === 'SOA') {
    const d = data as {
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    };
    return `${rr.name} ${rr.ttl} SOA ${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
  }
  return `${rr.name} ${rr.ttl} ${rr.type} ${String(data)}`;
}

function shown(result: LookupResult) {
  return {
    rcode: result.rcode,
    answers: result.answers.map(show).sort(),
    additionals: result.additionals.map(show).sort(),
    authority: result.authority.map(show),
  };
}

interface Case {
  name: string;
  qname: string;
  qtype: string;
  rcode: LookupResult['rcode'];
  answers?: string[];
  additionals?: string[];
  authority?: string[];
}

const hl = 'hl.default.svc.cluster.local';
const store = 'store-be.default.svc.cluster.local';
const multi = 'multi.default.svc.cluster.local';

const cases: Case[] = [
  // ClusterIP Services
  { name: 'ClusterIP A', qname: store, qtype: 'A', rcode: 'NOERROR', answers: [`${store} 5 A 10.9.3.76`] },
  {
    name: 'names match case-insensitively',
    qname: 'STORE-be.Default.SVC.cluster.LOCAL',
    qtype: 'a',
    rcode: 'NOERROR',
    answers: [`${store} 5 A 10.9.3.76`],
  },
  {
    name: 'a trailing dot is the same name',
    qname: `${store}.`,
    qtype: 'A',
    rcode: 'NOERROR',
    answers: [`${store} 5 A 10.9.3.76`],
  },
  { name: 'AAAA on an IPv4 Service is NODATA', qname: store, qtype: 'AAAA', rcode: 'NOERROR', authority: [soa] },
  { name: 'TXT on a Service is NODATA', qname: store, qtype: 'TXT', rcode: 'NOERROR', authority: [soa] },
  {
    name: 'unknown Service is NXDOMAIN',
    qname: 'nosuch.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'Service in another namespace does not exist there',
    qname: 'store-be.test.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'search-list candidate store-be.default.default.svc is NXDOMAIN',
    qname: 'store-be.default.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  { name: 'too many labels is NXDOMAIN', qname: `a.b.c.${store}`, qtype: 'A', rcode: 'NXDOMAIN', authority: [soa] },
  // SRV
  {
    name: 'SRV for a named port (scenario 23)',
    qname: `_http._tcp.${store}`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answers: [`_http._tcp.${store} 5 SRV 0 100 80 ${store}`],
    additionals: [`${store} 5 A 10.9.3.76`],
  },
  {
    name: 'SRV port and protocol labels are case-insensitive',
    qname: `_HTTP._TCP.${store}`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answers: [`_http._tcp.${store} 5 SRV 0 100 80 ${store}`],
    additionals: [`${store} 5 A 10.9.3.76`],
  },
  {
    name: 'the port name also answers A',
    qname: `_http._tcp.${store}`,
    qtype: 'A',
    rcode: 'NOERROR',
    answers: [`_http._tcp.${store} 5 A 10.9.3.76`],
  },
  {
    name: 'wrong protocol for a port is NXDOMAIN',
    qname: `_http._udp.${store}`,
    qtype: 'SRV',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'UDP named port',
    qname: `_dns._udp.${multi}`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answers: [`_dns._udp.${multi} 5 SRV 0 100 53 ${multi}`],
    additionals: [`${multi} 5 A 10.9.0.50`],
  },
  {
    name: 'an unnamed port gets no SRV name',
    qname: `_8080._tcp.${multi}`,
    qtype: 'SRV',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'SRV on the bare Service name lists every port (CoreDNS)',
    qname: multi,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answers: [
      `${multi} 5 SRV 0 33 53 ${multi}`,
      `${multi} 5 SRV 0 33 80 ${multi}`,
      `${multi} 5 SRV 0 33 8080 ${multi}`,
    ],
    additionals: [`${multi} 5 A 10.9.0.50`],
  },
  {
    name: 'empty non-terminal _tcp.<svc> is NXDOMAIN (CoreDNS)',
    qname: `_tcp.${store}`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  // Headless Services
  {
    name: 'headless A: one per ready endpoint',
    qname: hl,
    qtype: 'A',
    rcode: 'NOERROR',
    answers: [`${hl} 5 A 10.11.0.9`, `${hl} 5 A 10.11.5.3`, `${hl} 5 A 10.11.8.67`],
  },
  {
    name: 'headless with no ready endpoint is NXDOMAIN (scenario 23)',
    qname: 'empty-hl.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'headless without ports still answers A',
    qname: 'noports-hl.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    answers: ['noports-hl.default.svc.cluster.local 5 A 10.11.0.40'],
  },
  {
    name: 'headless without ports has no SRV',
    qname: 'noports-hl.default.svc.cluster.local',
    qtype: 'SRV',
    rcode: 'NOERROR',
    authority: [soa],
  },
  {
    name: 'endpoint without hostname: dashed IP',
    qname: `10-11-0-9.${hl}`,
    qtype: 'A',
    rcode: 'NOERROR',
    answers: [`10-11-0-9.${hl} 5 A 10.11.0.9`],
  },
  {
    name: 'a not-ready endpoint has no name',
    qname: `10-11-0-18.${hl}`,
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'endpoint with hostname',
    qname: 'web-0.web.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    answers: ['web-0.web.default.svc.cluster.local 5 A 10.11.0.20'],
  },
  {
    name: 'an endpoint with a hostname has no dashed name',
    qname: '10-11-0-20.web.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'endpoint names exist under ClusterIP Services too (CoreDNS)',
    qname: `10-11-5-3.${store}`,
    qtype: 'A',
    rcode: 'NOERROR',
    answers: [`10-11-5-3.${store} 5 A 10.11.5.3`],
  },
  {
    name: 'headless SRV: one per endpoint, weight floor(100/3)',
    qname: `_http._tcp.${hl}`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answers: [
      `_http._tcp.${hl} 5 SRV 0 33 80 10-11-0-9.${hl}`,
      `_http._tcp.${hl} 5 SRV 0 33 80 10-11-5-3.${hl}`,
      `_http._tcp.${hl} 5 SRV 0 33 80 10-11-8-67.${hl}`,
    ],
    additionals: [`10-11-0-9.${hl} 5 A 10.11.0.9`, `10-11-5-3.${hl} 5 A 10.11.5.3`, `10-11-8-67.${hl} 5 A 10.11.8.67`],
  },
  {
    name: 'SRV with a hostname target',
    qname: '_http._tcp.web.default.svc.cluster.local',
    qtype: 'SRV',
    rcode: 'NOERROR',
    answers: ['_http._tcp.web.default.svc.cluster.local 5 SRV 0 100 80 web-0.web.default.svc.cluster.local'],
    additionals: ['web-0.web.default.svc.cluster.local 5 A 10.11.0.20'],
  },
  // PTR
  {
    name: 'PTR of a ClusterIP (scenario 23 table)',
    qname: '76.3.9.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answers: [`76.3.9.10.in-addr.arpa 5 PTR ${store}`],
  },
  {
    name: 'PTR of an endpoint in two Services: both names',
    qname: '3.5.11.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answers: [`3.5.11.10.in-addr.arpa 5 PTR 10-11-5-3.${hl}`, `3.5.11.10.in-addr.arpa 5 PTR 10-11-5-3.${store}`],
  },
  {
    name: 'PTR of an endpoint with a hostname',
    qname: '20.0.11.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answers: ['20.0.11.10.in-addr.arpa 5 PTR web-0.web.default.svc.cluster.local'],
  },
  {
    name: 'PTR of an unknown IP is NXDOMAIN with the reverse SOA',
    qname: '1.1.1.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    authority: [reverseSoa],
  },
  {
    name: 'a pod IP that is no endpoint has no PTR',
    qname: '77.0.11.10.in-addr.arpa',
    qtype: 'PTR',
    rcode: 'NXDOMAIN',
    authority: [reverseSoa],
  },
  // Pods
  {
    name: 'pod A record',
    qname: '10-11-0-9.default.pod.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    answers: ['10-11-0-9.default.pod.cluster.local 5 A 10.11.0.9'],
  },
  {
    name: 'pod IP in another namespace is NXDOMAIN (verified)',
    qname: '10-11-0-9.test.pod.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'an IP no pod has is NXDOMAIN (verified)',
    qname: '10-11-99-9.default.pod.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'a terminating pod has no record',
    qname: '10-11-0-77.default.pod.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  // ExternalName
  {
    name: 'ExternalName is a CNAME',
    qname: 'ext.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    answers: ['ext.default.svc.cluster.local 5 CNAME example.com'],
  },
  {
    name: 'ExternalName answers CNAME for any type',
    qname: 'ext.default.svc.cluster.local',
    qtype: 'TXT',
    rcode: 'NOERROR',
    answers: ['ext.default.svc.cluster.local 5 CNAME example.com'],
  },
  {
    name: 'ExternalName inside the zone is chased',
    qname: 'alias.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    answers: ['alias.default.svc.cluster.local 5 CNAME store-be.default.svc.cluster.local', `${store} 5 A 10.9.3.76`],
  },
  {
    name: 'ExternalName with an IP gives nothing (CoreDNS)',
    qname: 'ipext.default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  // Zone structure
  {
    name: 'namespace name exists: NODATA',
    qname: 'default.svc.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    authority: [soa],
  },
  {
    name: 'unknown namespace is NXDOMAIN',
    qname: 'nope.svc.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  {
    name: 'pod namespace name exists',
    qname: 'default.pod.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    authority: [soa],
  },
  { name: 'svc.<zone> exists', qname: 'svc.cluster.local', qtype: 'A', rcode: 'NOERROR', authority: [soa] },
  {
    name: 'unknown label under the zone is NXDOMAIN',
    qname: 'foo.cluster.local',
    qtype: 'A',
    rcode: 'NXDOMAIN',
    authority: [soa],
  },
  { name: 'SOA of the zone', qname: 'cluster.local', qtype: 'SOA', rcode: 'NOERROR', answers: [soa] },
  {
    name: 'NS of the zone, kube-dns as glue',
    qname: 'cluster.local',
    qtype: 'NS',
    rcode: 'NOERROR',
    answers: ['cluster.local 5 NS ns.dns.cluster.local'],
    additionals: ['ns.dns.cluster.local 5 A 10.9.0.10'],
  },
  {
    name: 'ns.dns.<zone> is kube-dns',
    qname: 'ns.dns.cluster.local',
    qtype: 'A',
    rcode: 'NOERROR',
    answers: ['ns.dns.cluster.local 5 A 10.9.0.10'],
  },
  {
    name: 'dns-version TXT',
    qname: 'dns-version.cluster.local',
    qtype: 'TXT',
    rcode: 'NOERROR',
    answers: ['dns-version.cluster.local 28800 TXT 1.1.0'],
  },
  { name: 'ANY is NODATA', qname: store, qtype: 'ANY', rcode: 'NOERROR', authority: [soa] },
  // Outside the zone
  {
    name: 'a name outside the zone is REFUSED (scenario 23: google.com)',
    qname: 'google.com',
    qtype: 'A',
    rcode: 'REFUSED',
  },
  {
    name: 'a suffix that only looks like the zone is REFUSED',
    qname: 'evilcluster.local',
    qtype: 'A',
    rcode: 'REFUSED',
  },
  { name: 'the root is REFUSED', qname: '.', qtype: 'NS', rcode: 'REFUSED' },
];

const index = zone();
for (const tc of cases) {
  test(tc.name, () => {
    assert.deepEqual(shown(index.lookup(tc.qname, tc.qtype)), {
      rcode: tc.rcode,
      answers: [...(tc.answers ?? [])].sort(),
      additionals: [...(tc.additionals ?? [])].sort(),
      authority: tc.authority ?? [],
    });
  });
}

/** Scenario 23: a pod in `default` resolves through the search list `default.svc`, `svc`, the zone, then the bare name. */
function resolveLikeAPod(zoneIndex: ZoneIndex, shortName: string, type: string): string[] {
  const candidates = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']
    .map((s) => `${shortName}.${s}`)
    .concat(shortName);
  const trail: string[] = [];
  for (const candidate of candidates) {
    const r = zoneIndex.lookup(candidate, type);
    trail.push(r.rcode);
    if (r.rcode === 'NOERROR' && r.answers.length > 0) break;
  }
  return trail;
}

const searchCases = [
  { name: 'store-be resolves on the first candidate', short: 'store-be', type: 'A', trail: ['NOERROR'] },
  {
    name: 'store-be AAAA: NODATA everywhere in the zone',
    short: 'store-be',
    type: 'AAAA',
    trail: ['NOERROR', 'NXDOMAIN', 'NXDOMAIN', 'REFUSED'],
  },
  {
    name: 'nosuch: NXDOMAIN ×3, then the absolute name',
    short: 'nosuch',
    type: 'A',
    trail: ['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'REFUSED'],
  },
  {
    name: 'store-be.default succeeds on the 2nd candidate',
    short: 'store-be.default',
    type: 'A',
    trail: ['NXDOMAIN', 'NOERROR'],
  },
  {
    name: 'google.com: 3 cluster NXDOMAINs then out of zone',
    short: 'google.com',
    type: 'A',
    trail: ['NXDOMAIN', 'NXDOMAIN', 'NXDOMAIN', 'REFUSED'],
  },
];
for (const tc of searchCases) {
  test(`search list: ${tc.name}`, () => assert.deepEqual(resolveLikeAPod(index, tc.short, tc.type), tc.trail));
}

const ttlCases = [
  { name: 'ttl 30 (kubeadm)', ttl: 30, record: 30, soaHeader: 30 },
  { name: 'ttl 0', ttl: 0, record: 0, soaHeader: 0 },
  { name: 'ttl 3600: SOA header capped at 300', ttl: 3600, record: 3600, soaHeader: 300 },
];
for (const tc of ttlCases) {
  test(`configurable TTL: ${tc.name}`, () => {
    const z = zone(tc.ttl);
    assert.equal((z.lookup(store, 'A').answers[0] as Rr).ttl, tc.record);
    const negative = z.lookup('nosuch.default.svc.cluster.local', 'A').authority[0];
    assert.equal((negative as Rr).ttl, tc.soaHeader);
    assert.equal((negative as { data: { minimum: number } }).data.minimum, tc.ttl);
  });
}

interface ChangeCase {
  name: string;
  change: ZoneChange;
  /** Names the change must report as changed. */
  reported: string[];
  /** Lookups after the change: [qname, qtype, rcode, answer count]. */
  after: [string, string, LookupResult['rcode'], number][];
}

const changeCases: ChangeCase[] = [
  {
    name: 'a new Service appears, with its PTR',
    change: {
      kind: 'Service',
      object: service('default', 'fresh', { clusterIP: '10.9.7.7', ports: [http] }),
      deleted: false,
    },
    reported: [
      'fresh.default.svc.cluster.local',
      '7.7.9.10.in-addr.arpa',
      '_http._tcp.fresh.default.svc.cluster.local',
    ],
    after: [
      ['fresh.default.svc.cluster.local', 'A', 'NOERROR', 1],
      ['7.7.9.10.in-addr.arpa', 'PTR', 'NOERROR', 1],
    ],
  },
  {
    name: 'a deleted Service disappears; the alias pointing at it is reported too',
    change: { kind: 'Service', object: service('default', 'store-be', {}), deleted: true },
    reported: [store, '76.3.9.10.in-addr.arpa', 'alias.default.svc.cluster.local', `10-11-5-3.${store}`],
    after: [
      [store, 'A', 'NXDOMAIN', 0],
      ['alias.default.svc.cluster.local', 'A', 'NOERROR', 1],
      ['3.5.11.10.in-addr.arpa', 'PTR', 'NOERROR', 1],
    ],
  },
  {
    name: 'a changed ClusterIP is answered',
    change: {
      kind: 'Service',
      object: service('default', 'store-be', { clusterIP: '10.9.3.77', ports: [http] }),
      deleted: false,
    },
    reported: [
      store,
      '76.3.9.10.in-addr.arpa',
      '77.3.9.10.in-addr.arpa',
      'alias.default.svc.cluster.local',
      `_http._tcp.${store}`,
    ],
    after: [
      [store, 'A', 'NOERROR', 1],
      ['76.3.9.10.in-addr.arpa', 'PTR', 'NXDOMAIN', 0],
      ['77.3.9.10.in-addr.arpa', 'PTR', 'NOERROR', 1],
    ],
  },
  {
    name: 'an endpoint turning not-ready leaves the headless answer',
    change: {
      kind: 'Endpoints',
      object: endpoints('default', 'hl', [{ ip: '10.11.0.9' }], [http], ['10.11.5.3', '10.11.8.67']),
      deleted: false,
    },
    reported: [hl, `10-11-5-3.${hl}`, `_http._tcp.${hl}`],
    after: [
      [hl, 'A', 'NOERROR', 1],
      [`10-11-5-3.${hl}`, 'A', 'NXDOMAIN', 0],
      [`_http._tcp.${hl}`, 'SRV', 'NOERROR', 1],
    ],
  },
  {
    name: 'the first ready endpoint makes an empty headless Service exist',
    change: {
      kind: 'Endpoints',
      object: endpoints('default', 'empty-hl', [{ ip: '10.11.0.30' }], [http]),
      deleted: false,
    },
    reported: ['empty-hl.default.svc.cluster.local'],
    after: [['empty-hl.default.svc.cluster.local', 'A', 'NOERROR', 1]],
  },
  {
    name: 'deleted Endpoints remove a headless Service',
    change: { kind: 'Endpoints', object: endpoints('default', 'hl', [], []), deleted: true },
    reported: [hl],
    after: [
      [hl, 'A', 'NXDOMAIN', 0],
      ['9.0.11.10.in-addr.arpa', 'PTR', 'NOERROR', 1],
    ],
  },
  {
    name: 'a pod that starts terminating loses its record',
    change: { kind: 'Pod', object: pod('default', 'store-1', '10.11.0.9', true), deleted: false },
    reported: ['10-11-0-9.default.pod.cluster.local'],
    after: [['10-11-0-9.default.pod.cluster.local', 'A', 'NXDOMAIN', 0]],
  },
  {
    name: 'a deleted namespace name disappears',
    change: { kind: 'Namespace', object: namespace('test'), deleted: true },
    reported: ['test.svc.cluster.local', 'test.pod.cluster.local'],
    after: [['test.svc.cluster.local', 'A', 'NXDOMAIN', 0]],
  },
];

for (const tc of changeCases) {
  test(`follows changes: ${tc.name}`, () => {
    const z = zone();
    for (const [qname, qtype] of tc.after) z.lookup(qname, qtype);
    z.lookup('alias.default.svc.cluster.local', 'A');
    const reported = z.apply(tc.change);
    for (const name of tc.reported)
      assert.ok(reported.has(name), `${name} not reported in ${[...reported].join(', ')}`);
    for (const [qname, qtype, rcode, count] of tc.after) {
      const r = z.lookup(qname, qtype);
      assert.equal(r.rcode, rcode, `${qname} ${qtype}`);
      assert.equal(r.answers.length, count, `${qname} ${qtype}`);
    }
  });
}

test('a chased CNAME follows its target', () => {
  const z = zone();
  assert.equal(show(z.lookup('alias.default.svc.cluster.local', 'A').answers[1]), `${store} 5 A 10.9.3.76`);
  z.apply({
    kind: 'Service',
    object: service('default', 'store-be', { clusterIP: '10.9.3.99', ports: [http] }),
    deleted: false,
  });
  assert.equal(show(z.lookup('alias.default.svc.cluster.local', 'A').answers[1]), `${store} 5 A 10.9.3.99`);
});

test('ExternalName loops stop', () => {
  const z = new ZoneIndex({ zone: 'cluster.local', ttl: 5, serial });
  z.apply({
    kind: 'Service',
    object: service('default', 'a', { type: 'ExternalName', externalName: 'b.default.svc.cluster.local' }),
    deleted: false,
  });
  z.apply({
    kind: 'Service',
    object: service('default', 'b', { type: 'ExternalName', externalName: 'a.default.svc.cluster.local' }),
    deleted: false,
  });
  const r = z.lookup('a.default.svc.cluster.local', 'A');
  assert.equal(r.rcode, 'NOERROR');
  assert.ok(r.answers.length <= 10 && r.answers.every((a) => a.type === 'CNAME'));
});

test('a ClusterIP PTR hides endpoint PTRs for the same IP', () => {
  const z = zone();
  z.apply({ kind: 'Endpoints', object: endpoints('default', 'multi', [{ ip: '10.9.3.76' }], [http]), deleted: false });
  assert.deepEqual(z.lookup('76.3.9.10.in-addr.arpa', 'PTR').answers.map(show), [
    `76.3.9.10.in-addr.arpa 5 PTR ${store}`,
  ]);
});

test('headless SRV weights: 2 endpoints × 2 ports = 4 records of weight 25', () => {
  const z = new ZoneIndex({ zone: 'cluster.local', ttl: 5, serial });
  z.apply({
    kind: 'Service',
    object: service('default', 'two', { clusterIP: 'None', ports: [http, { name: 'https', port: 443 }] }),
    deleted: false,
  });
  z.apply({
    kind: 'Endpoints',
    object: endpoints('default', 'two', [{ ip: '10.1.0.1' }, { ip: '10.1.0.2' }], [http, { name: 'https', port: 443 }]),
    deleted: false,
  });
  const r = z.lookup('two.default.svc.cluster.local', 'SRV');
  assert.equal(r.answers.length, 4);
  assert.ok(r.answers.every((a) => (a as { data: { weight: number } }).data.weight === 25));
  assert.equal(r.additionals.length, 2);
});

test('a custom cluster domain', () => {
  const z = new ZoneIndex({ zone: 'Corp.Example', ttl: 5, serial });
  z.apply({
    kind: 'Service',
    object: service('default', 'api', { clusterIP: '10.0.0.5', ports: [http] }),
    deleted: false,
  });
  assert.equal(z.lookup('api.default.svc.corp.example', 'A').answers.length, 1);
  assert.equal(z.lookup('api.default.svc.cluster.local', 'A').rcode, 'REFUSED');
});
