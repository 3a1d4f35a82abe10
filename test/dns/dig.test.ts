/**
 * End to end: a kplane server in process with DNS on a free port; objects written through the API
 * (controllers on: pods get scheduled, run and become endpoints); answers read with the real `dig`
 * over UDP and TCP, plus raw sockets for timing and hostile packets.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as dnsPacket from 'dns-packet';
import type { Endpoints } from '../../src/registry/kinds/endpoints/schema.js';
import type { Pod } from '../../src/registry/kinds/pod/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { resolveConfig } from '../../src/config/config.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';
import { kindLookup, LocalClient } from '../../src/runtime/local.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { eventually } from '../helpers/eventually.js';

function digMissing(): boolean {
  try {
    execFileSync('dig', ['-v'], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
}

interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
}

let server: RunningServer;
let client: LocalClient;
let dataDir: string;
let port: number;

/** Runs `dig` and parses its sections; records as `name ttl TYPE data` with single spaces. */
function dig(...args: string[]): Promise<DigResult> {
  const argv = [
    '@127.0.0.1',
    '-p',
    String(port),
    '+tries=1',
    '+time=2',
    '+noall',
    '+comments',
    '+answer',
    '+authority',
    '+additional',
    ...args,
  ];
  return new Promise((resolve, reject) => {
    execFile('dig', argv, (err, stdout) => {
      if (err) return reject(new Error(`dig ${args.join(' ')}: ${err.message}\n${stdout}`));
      resolve(parseDig(stdout));
    });
  });
}

function parseDig(out: string): DigResult {
  const result: DigResult = { status: '', flags: [], answer: [], authority: [], additional: [] };
  let section: 'answer' | 'authority' | 'additional' | undefined;
  for (const line of out.split('\n')) {
    const status = /status: (\w+)/.exec(line);
    if (status) result.status = status[1];
    const flags = /^;; flags: ([^;]*);/.exec(line);
    if (flags) result.flags = flags[1].trim().split(' ');
    const header = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (header) section = header[1].toLowerCase() as typeof section;
    else if (line.trim() === '') section = undefined;
    else if (section && !line.startsWith(';')) {
      const [name, ttl, , type, ...data] = line.trim().split(/\s+/);
      result[section].push(`${name} ${ttl} ${type} ${data.join(' ')}`);
    }
  }
  return result;
}

/** A dig answer once it has `count` records: the answer waits on controllers (scheduling, endpoints). */
function answerOf(args: string[], count: number): Promise<DigResult> {
  return eventually(
    async () => {
      const r = await dig(...args);
      assert.equal(r.answer.length, count, r.answer.join('\n'));
      return r;
    },
    10_000,
    50,
  );
}

/** One query over UDP with a raw socket; resolves the decoded response (or undefined on timeout). */
function udpQuery(packet: Buffer, timeoutMs = 1000): Promise<dnsPacket.DecodedPacket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    const finish = (value: dnsPacket.DecodedPacket | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    socket.on('message', (msg) => finish(dnsPacket.decode(msg)));
    socket.send(packet, port, '127.0.0.1');
  });
}

function query(name: string, type: dnsPacket.RecordType = 'A', id = 4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

function rcodeOf(packet: dnsPacket.DecodedPacket): string {
  return (packet as unknown as { rcode: string }).rcode;
}

/** Seeded PRNG (mulberry32): fuzz failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function service(name: string, spec: Record<string, unknown>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec } as unknown as Service;
}

function pod(
  name: string,
  labels: Record<string, string>,
  spec: Record<string, unknown> = {},
  annotations: Record<string, string> = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels, annotations },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
  } as unknown as Pod;
}

function manualEndpoints(name: string, ips: string[]): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
  } as Endpoints;
}

const zone = 'cluster.local';
const store = `store-be.default.svc.${zone}.`;
const hl = `hl.default.svc.${zone}.`;
let storePodIPs: string[] = [];

before(async () => {
  if (digMissing())
    throw new Error('`dig` is not installed: these tests query the DNS server with it (apt-get install dnsutils)');
  dataDir = await mkdtemp(join(tmpdir(), 'kplane-dig-'));
  server = await startServer(resolveConfig({ dataDir, port: 0, dnsPort: 0, storage: 'memory', logLevel: 'silent' }));
  port = server.dnsPort!;
  client = new LocalClient(server.registry, kindLookup(builtinKinds));
  await client.create(
    'Service',
    service('store-be', { clusterIP: '10.0.3.76', selector: { app: 'store' }, ports: [{ name: 'http', port: 80 }] }),
  );
  await client.create(
    'Service',
    service('hl', { clusterIP: 'None', selector: { app: 'store' }, ports: [{ name: 'http', port: 80 }] }),
  );
  await client.create(
    'Service',
    service('empty-hl', { clusterIP: 'None', selector: { app: 'nobody' }, ports: [{ name: 'http', port: 80 }] }),
  );
  await client.create('Service', service('ext', { type: 'ExternalName', externalName: 'example.com' }));
  for (let i = 0; i < 3; i++) await client.create('Pod', pod(`store-${i}`, { app: 'store' }));
  await client.create('Pod', pod('web-0', { app: 'store' }, { hostname: 'web-0', subdomain: 'hl' }));
  // The simulated kubelet runs it but keeps it not Ready: Endpoints lists it under notReadyAddresses.
  await client.create('Pod', pod('unready', { app: 'store' }, {}, { 'kplane.io/ready': 'false' }));
  const running = await eventually(
    async () => {
      const pods = await client.list('Pod', { namespace: 'default', labelSelector: 'app=store' });
      assert.ok(pods.length === 5 && pods.every((p) => p.status?.podIP), 'five store pods with IPs');
      return pods;
    },
    10_000,
    50,
  );
  storePodIPs = running
    .filter((p) => p.metadata.name !== 'unready')
    .map((p) => p.status!.podIP!)
    .sort();
  assert.equal(storePodIPs.length, 4, 'the store pods got IPs from the simulated kubelet');
});

after(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

for (const transport of ['udp', 'tcp'] as const) {
  const t = transport === 'tcp' ? ['+tcp'] : ['+notcp'];

  test(`${transport}: ClusterIP A, authoritative, TTL 5`, async () => {
    const r = await dig(...t, 'store-be.default.svc.cluster.local', 'A');
    assert.equal(r.status, 'NOERROR');
    assert.ok(r.flags.includes('aa'), `flags ${r.flags.join(' ')}`);
    assert.deepEqual(r.answer, [`${store} 5 A 10.0.3.76`]);
  });

  test(`${transport}: names are case-insensitive`, async () => {
    const r = await dig(...t, 'Store-BE.DEFAULT.svc.Cluster.Local', 'A');
    assert.equal(r.answer.length, 1);
    assert.match(r.answer[0], / A 10\.0\.3\.76$/);
  });

  test(`${transport}: AAAA on an IPv4 Service is NODATA with the SOA`, async () => {
    const r = await dig(...t, 'store-be.default.svc.cluster.local', 'AAAA');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answer, []);
    assert.match(
      r.authority[0],
      /^cluster\.local\. 5 SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/,
    );
  });

  test(`${transport}: unknown name is NXDOMAIN with the SOA`, async () => {
    const r = await dig(...t, 'nosuch.default.svc.cluster.local', 'A');
    assert.equal(r.status, 'NXDOMAIN');
    assert.match(r.authority[0], /^cluster\.local\. 5 SOA /);
  });

  test(`${transport}: SRV for a named port with the target's A as additional`, async () => {
    const r = await dig(...t, '_http._tcp.store-be.default.svc.cluster.local', 'SRV');
    assert.deepEqual(r.answer, [`_http._tcp.${store} 5 SRV 0 100 80 ${store}`]);
    assert.ok(r.additional.includes(`${store} 5 A 10.0.3.76`), r.additional.join('\n'));
  });

  test(`${transport}: PTR of the ClusterIP`, async () => {
    const r = await dig(...t, '-x', '10.0.3.76');
    assert.deepEqual(r.answer, [`76.3.0.10.in-addr.arpa. 5 PTR ${store}`]);
  });

  test(`${transport}: headless A lists the ready pods only`, async () => {
    const r = await answerOf([...t, 'hl.default.svc.cluster.local', 'A'], 4);
    assert.deepEqual(r.answer.map((a) => a.split(' ')[3]).sort(), storePodIPs);
  });

  test(`${transport}: headless SRV: one per ready pod, weight 25`, async () => {
    const r = await answerOf([...t, '_http._tcp.hl.default.svc.cluster.local', 'SRV'], 4);
    assert.ok(
      r.answer.every((a) => / SRV 0 25 80 [a-z0-9-]+\.hl\.default\.svc\.cluster\.local\.$/.test(a)),
      r.answer.join('\n'),
    );
    assert.equal(r.additional.filter((a) => / A /.test(a)).length, 4);
  });

  test(`${transport}: a pod's hostname and subdomain name it under the headless Service`, async () => {
    const web = await client.get('Pod', { namespace: 'default', name: 'web-0' });
    const r = await answerOf([...t, 'web-0.hl.default.svc.cluster.local', 'A'], 1);
    assert.deepEqual(r.answer, [`web-0.${hl} 5 A ${web.status!.podIP}`]);
  });

  test(`${transport}: a pod without hostname is named by its dashed IP, with a PTR back`, async () => {
    const ip = (await client.get('Pod', { namespace: 'default', name: 'store-0' })).status!.podIP!;
    const dashed = ip.replaceAll('.', '-');
    const a = await dig(...t, `${dashed}.hl.default.svc.cluster.local`, 'A');
    assert.deepEqual(a.answer, [`${dashed}.${hl} 5 A ${ip}`]);
    const ptr = await dig(...t, '-x', ip);
    assert.ok(
      ptr.answer.includes(`${ip.split('.').reverse().join('.')}.in-addr.arpa. 5 PTR ${dashed}.${hl}`),
      ptr.answer.join('\n'),
    );
  });

  test(`${transport}: headless with no ready endpoint is NXDOMAIN`, async () => {
    assert.equal((await dig(...t, 'empty-hl.default.svc.cluster.local', 'A')).status, 'NXDOMAIN');
  });

  test(`${transport}: pod A record`, async () => {
    const ip = storePodIPs[0];
    const r = await dig(...t, `${ip.replaceAll('.', '-')}.default.pod.cluster.local`, 'A');
    assert.deepEqual(r.answer, [`${ip.replaceAll('.', '-')}.default.pod.${zone}. 5 A ${ip}`]);
  });

  test(`${transport}: ExternalName is a CNAME`, async () => {
    const r = await dig(...t, 'ext.default.svc.cluster.local', 'A');
    assert.deepEqual(r.answer, [`ext.default.svc.${zone}. 5 CNAME example.com.`]);
  });

  test(`${transport}: dns-version TXT`, async () => {
    assert.deepEqual((await dig(...t, 'dns-version.cluster.local', 'TXT')).answer, [
      `dns-version.${zone}. 28800 TXT "1.1.0"`,
    ]);
  });

  test(`${transport}: the bootstrap kube-dns Service is ns.dns`, async () => {
    const r = await dig(...t, 'cluster.local', 'NS');
    assert.deepEqual(r.answer, [`${zone}. 5 NS ns.dns.${zone}.`]);
    assert.deepEqual(r.additional, [`ns.dns.${zone}. 5 A 10.0.0.10`]);
  });

  test(`${transport}: names outside the zone are REFUSED`, async () => {
    const r = await dig(...t, 'google.com', 'A');
    assert.equal(r.status, 'REFUSED');
    assert.ok(!r.flags.includes('aa'));
  });
}

test('a large answer sets TC over UDP without EDNS; TCP and a big EDNS buffer carry it all', async () => {
  const ips = Array.from({ length: 60 }, (_, i) => `10.200.0.${i + 1}`);
  await client.create('Service', service('big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  await client.create('Endpoints', manualEndpoints('big', ips));
  const name = 'big.default.svc.cluster.local';
  const udp = await eventually(
    async () => {
      const r = await dig('+notcp', '+noedns', '+ignore', name, 'A');
      assert.ok(r.flags.includes('tc'), `flags ${r.flags.join(' ')}`);
      return r;
    },
    10_000,
    50,
  );
  assert.equal(udp.answer.length, 0);
  assert.equal((await dig('+tcp', name, 'A')).answer.length, 60);
  assert.equal((await dig('+notcp', '+bufsize=4096', name, 'A')).answer.length, 60);
  const retried = await dig('+notcp', '+noedns', name, 'A');
  assert.equal(retried.answer.length, 60, 'dig retries over TCP after TC');
});

/** Queries over UDP until the answer passes `check` (5 s at most). */
function answered(
  name: string,
  type: dnsPacket.RecordType,
  check: (p: dnsPacket.DecodedPacket) => void,
): Promise<void> {
  return eventually(
    async () => {
      const p = await udpQuery(query(name, type));
      assert.ok(p, 'an answer');
      check(p);
    },
    5000,
    0,
  );
}

const ipsIn = (p: dnsPacket.DecodedPacket) => (p.answers ?? []).map((a) => (a as { data: unknown }).data).sort();

test('follows the API: a cached answer changes with the create, change and delete behind it', async () => {
  const name = 'follow.default.svc.cluster.local';
  assert.equal(rcodeOf((await udpQuery(query(name)))!), 'NXDOMAIN', 'cached as NXDOMAIN first');
  await client.create('Service', service('follow', { clusterIP: '10.0.9.9', ports: [{ name: 'http', port: 80 }] }));
  await answered(name, 'A', (p) => assert.equal(ipsIn(p).join(), '10.0.9.9', 'the create is answered'));

  const hlName = 'follow-hl.default.svc.cluster.local';
  await client.create('Service', service('follow-hl', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  await client.create('Endpoints', manualEndpoints('follow-hl', ['10.210.0.1']));
  await answered(hlName, 'A', (p) => assert.equal(ipsIn(p).join(), '10.210.0.1', 'the headless Service is answered'));
  const ep = await client.get('Endpoints', { namespace: 'default', name: 'follow-hl' });
  await client.update('Endpoints', {
    ...ep,
    subsets: manualEndpoints('follow-hl', ['10.210.0.1', '10.210.0.2']).subsets,
  });
  await answered(hlName, 'A', (p) =>
    assert.equal(ipsIn(p).join(), '10.210.0.1,10.210.0.2', 'the endpoint change is answered'),
  );
  await answered(`_http._tcp.${hlName}`, 'SRV', (p) =>
    assert.equal((p.answers ?? []).length, 2, 'the SRV records follow'),
  );

  await client.delete('Service', { namespace: 'default', name: 'follow' });
  await answered(name, 'A', (p) => assert.equal(rcodeOf(p), 'NXDOMAIN', 'the delete is answered'));
  assert.equal((await dig(name, 'A')).status, 'NXDOMAIN');
});

test('several queries on one TCP connection, answered in order', async () => {
  const names = ['store-be.default.svc.cluster.local', 'nosuch.default.svc.cluster.local', 'google.com'];
  const socket = net.connect(port, '127.0.0.1');
  const frames = Buffer.concat(
    names.map((n, i) => dnsPacket.streamEncode({ type: 'query', id: i + 1, questions: [{ type: 'A', name: n }] })),
  );
  socket.write(frames);
  const answers: dnsPacket.DecodedPacket[] = [];
  let pending = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        answers.push(dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0))));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (answers.length === names.length) resolve();
    });
  });
  socket.destroy();
  assert.deepEqual(
    answers.map((a) => [a.id, rcodeOf(a)]),
    [
      [1, 'NOERROR'],
      [2, 'NXDOMAIN'],
      [3, 'REFUSED'],
    ],
  );
});

/** Resolves when the server closes the connection (or after `ms`, resolving false). */
function closedByServer(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

interface HostileCase {
  name: string;
  packets: (rand: () => number) => Buffer[];
  /** What each answered packet's rcode may be; silence is always allowed. */
  allowed: string[];
  /** At least this many packets must be answered. */
  minAnswered: number;
}

const valid = query('store-be.default.svc.cluster.local', 'A', 77);
const hostileUdp: HostileCase[] = [
  {
    name: 'random bytes',
    packets: (rand) =>
      Array.from({ length: 300 }, () =>
        Buffer.from(Array.from({ length: Math.floor(rand() * 600) }, () => Math.floor(rand() * 256))),
      ),
    allowed: ['FORMERR', 'NOTIMP', 'REFUSED', 'NXDOMAIN', 'NOERROR'],
    minAnswered: 0,
  },
  {
    name: 'a query truncated at every length',
    packets: () => Array.from({ length: valid.length }, (_, n) => valid.subarray(0, n)),
    allowed: ['FORMERR'],
    minAnswered: valid.length - 12,
  },
  {
    name: '50 questions',
    packets: () => [
      dnsPacket.encode({
        type: 'query',
        id: 9,
        questions: Array.from({ length: 50 }, (_, i) => ({
          type: 'A' as const,
          name: `q${i}.default.svc.cluster.local`,
        })),
      }),
    ],
    allowed: ['FORMERR'],
    minAnswered: 1,
  },
  {
    name: 'a non-ASCII byte in a label is FORMERR',
    packets: () => [Buffer.from(valid.map((b, i) => (i === 13 ? 0xff : b)))],
    allowed: ['FORMERR'],
    minAnswered: 1,
  },
  {
    name: 'no question',
    packets: () => [dnsPacket.encode({ type: 'query', id: 10, questions: [] })],
    allowed: ['FORMERR'],
    minAnswered: 1,
  },
  {
    name: 'a response is never answered',
    packets: () => [
      dnsPacket.encode({
        type: 'response',
        id: 11,
        questions: [{ type: 'A', name: 'store-be.default.svc.cluster.local' }],
      }),
    ],
    allowed: [],
    minAnswered: 0,
  },
  {
    name: 'an UPDATE opcode is NOTIMP',
    packets: () => [Buffer.from(valid.map((b, i) => (i === 2 ? b | (5 << 3) : b)))],
    allowed: ['NOTIMP'],
    minAnswered: 1,
  },
  {
    name: 'random bit flips of a valid query',
    packets: (rand) =>
      Array.from({ length: 300 }, () =>
        Buffer.from(valid.map((b) => (rand() < 0.05 ? b ^ (1 << Math.floor(rand() * 8)) : b))),
      ),
    allowed: ['FORMERR', 'NOTIMP', 'REFUSED', 'NXDOMAIN', 'NOERROR'],
    minAnswered: 0,
  },
];

const sentinelId = 0xbeef;
const sentinel = query('store-be.default.svc.cluster.local', 'A', sentinelId);
const isSentinelAnswer = (msg: Buffer) => dnsPacket.decode(msg).id === sentinelId;

for (const tc of hostileUdp) {
  test(`hostile UDP: ${tc.name}`, async () => {
    const rand = random(0x5eed);
    const responses: Buffer[] = [];
    const socket = dgram.createSocket('udp4');
    socket.on('message', (msg) => responses.push(msg));
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    for (const packet of tc.packets(rand)) socket.send(packet, port, '127.0.0.1');
    // The server answers a socket's datagrams in order: once a valid query sent after them is answered
    // (sent again on each try, as UDP may drop it), every hostile packet has had its answer.
    await eventually(
      async () => {
        if (responses.some(isSentinelAnswer)) return;
        socket.send(sentinel, port, '127.0.0.1');
        assert.fail('the query after the hostile packets is not answered yet');
      },
      5000,
      20,
    );
    socket.close();
    const answered = responses.filter((msg) => !isSentinelAnswer(msg));
    assert.ok(answered.length >= tc.minAnswered, `${answered.length} answered`);
    for (const msg of answered) {
      const decoded = dnsPacket.decode(msg);
      assert.ok(tc.allowed.includes(rcodeOf(decoded)), `rcode ${rcodeOf(decoded)}`);
    }
    const alive = await udpQuery(valid);
    assert.equal(alive?.id, 77, 'the server still answers');
    assert.equal(ipsIn(alive!).join(), '10.0.3.76');
  });
}

const hostileTcp = [
  { name: 'a length prefix of 65535 and no body', bytes: Buffer.from([0xff, 0xff]) },
  { name: 'a length below a header', bytes: Buffer.from([0x00, 0x03, 1, 2, 3]) },
  { name: 'random bytes', bytes: Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)) },
];

for (const tc of hostileTcp) {
  test(`hostile TCP: ${tc.name} closes the connection; the server still answers`, async () => {
    const socket = net.connect(port, '127.0.0.1');
    const closed = closedByServer(socket, 2000);
    socket.write(tc.bytes);
    assert.equal(await closed, true);
    const r = await dig('+tcp', 'store-be.default.svc.cluster.local', 'A');
    assert.deepEqual(r.answer, [`${store} 5 A 10.0.3.76`]);
  });
}

test('hostile TCP: a truncated frame waits, then a completed frame is answered', async () => {
  const socket = net.connect(port, '127.0.0.1');
  const framed = dnsPacket.streamEncode({
    type: 'query',
    id: 5,
    questions: [{ type: 'A', name: 'store-be.default.svc.cluster.local' }],
  });
  const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(framed.subarray(0, 7));
  // The server holding a partial frame has no event to wait on: give the first part time to arrive on its own.
  await new Promise((r) => setTimeout(r, 50));
  socket.write(framed.subarray(7));
  const response = await answer;
  socket.destroy();
  assert.equal(dnsPacket.decode(response.subarray(2)).id, 5);
});

test('EDNS version 1 is answered BADVERS', async () => {
  const packet = dnsPacket.encode({
    type: 'query',
    id: 12,
    questions: [{ type: 'A', name: 'store-be.default.svc.cluster.local' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 1,
        flags: 0,
        flag_do: false,
        options: [],
      },
    ],
  });
  const r = (await udpQuery(packet))!;
  const opt = r.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer;
  assert.equal(opt.extendedRcode, 1);
  assert.equal(rcodeOf(r), 'NOERROR');
  assert.deepEqual(r.answers, []);
});
