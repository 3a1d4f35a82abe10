import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dnsPacket from 'dns-packet';
import type { Row } from './api.js';
import { spawnUntil } from './processes.js';

const services = 1000;
const rounds = 3;
const maxRunSeconds = 10;
/** The fixed rate at which latency percentiles are taken. */
const fixedQps = 5000;
const fixedRunSeconds = 5;

interface PerfResult {
  qps: number;
  avgMs: number;
  lost: number;
  /** Share of answers that were NOERROR: a server answering NXDOMAIN fast is not a result. */
  noerror: number;
  /** Server CPU seconds per wall second during the run. */
  serverCores: number;
}

interface Target {
  name: string;
  port: number;
  pid: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function installed(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function dnsperf(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dnsperf', args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`dnsperf ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    );
  });
}

function number(out: string, label: RegExp): number {
  const m = label.exec(out);
  if (!m) throw new Error(`dnsperf output lacks ${label}:\n${out}`);
  return Number(m[1]);
}

/** Maximum throughput: `dnsperf -l 10` (1 client, 100 queries outstanding). */
async function maxRun(target: Target, queries: string): Promise<PerfResult> {
  const cpuBefore = cpuSeconds(target.pid);
  const started = performance.now();
  const out = await dnsperf(['-s', '127.0.0.1', '-p', String(target.port), '-d', queries, '-l', String(maxRunSeconds)]);
  const wall = (performance.now() - started) / 1000;
  const completed = number(out, /Queries completed:\s+(\d+)/);
  const noerror = Number(/Response codes:\s+NOERROR (\d+)/.exec(out)?.[1] ?? 0);
  return {
    qps: number(out, /Queries per second:\s+([\d.]+)/),
    avgMs: number(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000,
    lost: number(out, /Queries lost:\s+(\d+)/),
    noerror: completed === 0 ? 0 : noerror / completed,
    serverCores: (cpuSeconds(target.pid) - cpuBefore) / wall,
  };
}

/** p50/p99 at a fixed rate: `dnsperf -Q 5000 -v` prints every query's latency. */
async function fixedRateRun(target: Target, queries: string): Promise<{ p50Ms: number; p99Ms: number }> {
  const out = await dnsperf([
    '-s',
    '127.0.0.1',
    '-p',
    String(target.port),
    '-d',
    queries,
    '-l',
    String(fixedRunSeconds),
    '-Q',
    String(fixedQps),
    '-v',
  ]);
  const latencies = [...out.matchAll(/^> \w+ \S+ \w+ ([\d.]+)$/gm)]
    .map((m) => Number(m[1]) * 1000)
    .sort((a, b) => a - b);
  if (latencies.length === 0) throw new Error(`no per-query latencies in dnsperf -v output:\n${out.slice(0, 2000)}`);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function freePort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const { port } = socket.address();
  await new Promise<void>((r) => socket.close(() => r()));
  return port;
}

/** Resolves once `name` gets a NOERROR answer on `port`. */
async function waitForAnswer(port: number, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket('udp4');
      const timer = setTimeout(() => done(false), 200);
      const done = (value: boolean) => {
        clearTimeout(timer);
        socket.close();
        resolve(value);
      };
      socket.on('message', (msg) => done(dnsPacket.decode(msg).answers?.length === 1));
      socket.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
    });
    if (ok) return;
  }
  throw new Error(`nothing answers ${name} on port ${port}`);
}

/** Creates `svc-NNNN` ClusterIP Services through the insecure port, 16 at a time; returns name → ClusterIP. */
async function createServices(baseUrl: string): Promise<Map<string, string>> {
  const ips = new Map<string, string>();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < services; i = next++) {
      const name = `svc-${String(i).padStart(4, '0')}`;
      const res = await fetch(`${baseUrl}/api/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }] } }),
      });
      const body = (await res.json()) as { spec?: { clusterIP?: string } };
      if (res.status !== 201 || !body.spec?.clusterIP)
        throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(body)}`);
      ips.set(`${name}.default.svc.cluster.local`, body.spec.clusterIP);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return ips;
}

function startDnsmasq(hostsFile: string, port: number): ChildProcess {
  const args = [
    '--no-daemon',
    '--no-resolv',
    '--no-hosts',
    `--addn-hosts=${hostsFile}`,
    `--port=${port}`,
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    '--pid-file=',
  ];
  const child = spawn('dnsmasq', args, { stdio: 'ignore' });
  child.on('error', (err) => process.stderr.write(`dnsmasq: ${err.message}\n`));
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function skipped(reason: string): Row[] {
  process.stderr.write(`bench dns skipped: ${reason}\n`);
  return [{ what: `DNS: skipped, ${reason}`, value: '', baseline: '', ratio: '' }];
}

/**
 * Cluster DNS against dnsmasq: kplane with 1 000 ClusterIP Services made
 * through its API, dnsmasq serving the same names and IPs from a hosts file. `dnsperf -l 10`
 * cycles the 1 000 names (all hits) for QPS, rounds interleaved; then a fixed 5 000 QPS run per
 * server for p50/p99. Also reports server CPU, since dnsperf shares the machine's two cores.
 */
export async function benchDns(): Promise<Row[]> {
  const missing = ['dnsperf', 'dnsmasq'].filter((c) => !installed(c));
  if (missing.length > 0) return skipped(`${missing.join(' and ')} not installed (apt-get install dnsperf dnsmasq)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kplane-bench-'));
  const kplane = await spawnUntil(
    [
      'dist/src/main.js',
      'serve',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--insecure-port',
      '0',
      '--dns-port',
      '0',
      '--log-level',
      'warn',
      '--controllers',
      'none',
    ],
    /(insecure \(no auth, loopback\): \S+\ndns: \S+)\n/,
  );
  const work = mkdtempSync(join(tmpdir(), 'kplane-bench-dns-'));
  // dnsmasq reads its hosts file after dropping privileges to `nobody`.
  chmodSync(work, 0o755);
  let dnsmasq: ChildProcess | undefined;
  try {
    const [, insecureUrl, kplanePort] = /: (\S+)\ndns: \S+:(\d+)$/.exec(kplane.match)!;
    const ips = await createServices(insecureUrl);
    const queries = join(work, 'queries.txt');
    const hosts = join(work, 'hosts');
    writeFileSync(queries, [...ips.keys()].map((n) => `${n} A\n`).join(''));
    writeFileSync(hosts, [...ips].map(([n, ip]) => `${ip} ${n}\n`).join(''), { mode: 0o644 });
    const dnsmasqPort = await freePort();
    dnsmasq = startDnsmasq(hosts, dnsmasqPort);
    const firstName = [...ips.keys()][0];
    const targets: Target[] = [
      { name: 'kplane', port: Number(kplanePort), pid: kplane.child.pid! },
      { name: 'dnsmasq', port: dnsmasqPort, pid: dnsmasq.pid! },
    ];
    for (const t of targets) await waitForAnswer(t.port, firstName);
    const runs: Record<string, PerfResult[]> = { kplane: [], dnsmasq: [] };
    for (let r = 0; r < rounds; r++) for (const t of targets) runs[t.name].push(await maxRun(t, queries));
    const fixed = { kplane: await fixedRateRun(targets[0], queries), dnsmasq: await fixedRateRun(targets[1], queries) };
    for (const [name, results] of Object.entries(runs)) {
      const bad = results.find((x) => x.noerror < 0.999);
      if (bad) throw new Error(`${name} answered only ${(bad.noerror * 100).toFixed(1)} % of the queries NOERROR`);
    }
    const k = {
      qps: median(runs.kplane.map((x) => x.qps)),
      avg: median(runs.kplane.map((x) => x.avgMs)),
      cores: median(runs.kplane.map((x) => x.serverCores)),
      lost: runs.kplane.reduce((n, x) => n + x.lost, 0),
    };
    const d = {
      qps: median(runs.dnsmasq.map((x) => x.qps)),
      avg: median(runs.dnsmasq.map((x) => x.avgMs)),
      cores: median(runs.dnsmasq.map((x) => x.serverCores)),
      lost: runs.dnsmasq.reduce((n, x) => n + x.lost, 0),
    };
    const pct = (x: number, y: number) => `${Math.round((100 * x) / y)} %`;
    return [
      {
        what: `DNS queries/s, ${services} ClusterIP names (dnsperf -l ${maxRunSeconds}, 100 outstanding, median of ${rounds}; baseline dnsmasq)`,
        value: k.qps.toFixed(0),
        baseline: d.qps.toFixed(0),
        ratio: pct(k.qps, d.qps),
      },
      { what: 'DNS average latency at that load (ms)', value: k.avg.toFixed(2), baseline: d.avg.toFixed(2), ratio: '' },
      {
        what: 'DNS queries/s per server core (server CPU during the run)',
        value: (k.qps / k.cores).toFixed(0),
        baseline: (d.qps / d.cores).toFixed(0),
        ratio: pct(k.qps / k.cores, d.qps / d.cores),
      },
      {
        what: `DNS p50 at ${fixedQps} QPS (ms)`,
        value: fixed.kplane.p50Ms.toFixed(3),
        baseline: fixed.dnsmasq.p50Ms.toFixed(3),
        ratio: '',
      },
      {
        what: `DNS p99 at ${fixedQps} QPS (ms)`,
        value: fixed.kplane.p99Ms.toFixed(3),
        baseline: fixed.dnsmasq.p99Ms.toFixed(3),
        ratio: '',
      },
      { what: 'DNS queries lost (all runs)', value: String(k.lost), baseline: String(d.lost), ratio: '' },
    ];
  } finally {
    await Promise.all([kplane.stop(), dnsmasq ? stop(dnsmasq) : undefined]);
  }
}
