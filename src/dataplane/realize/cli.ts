/**
 * `kplane dataplane realize`: builds the cluster's network for real in Linux network namespaces
 * (root only), prints how to poke it by hand, and removes everything on Ctrl-C / SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectionFromKubeconfig } from '../../runtime/remote.js';
import { realizeInputFromServer } from './from-server.js';
import type { RealizeInput } from './input.js';
import { realize, sweepStale, unsupportedReason, type Realized } from './netns.js';

export const REALIZE_USAGE = `usage: kplane dataplane realize [flags]

Builds the cluster's network in Linux network namespaces (needs root): one per node, per pod, the
VPC and the internet, with each node's kube-proxy rules loaded by iptables-restore and a tiny
responder in every pod that answers with the source address it sees. Ctrl-C removes it all.

flags:
  --kubeconfig PATH      server to read the cluster from (default $KUBECONFIG, else .kplane/kubeconfig.yaml)
  --input FILE           read a RealizeInput JSON file instead of a server
  --vpc-cidr CIDR        the VMs' subnet (default 10.240.0.0/16, the server's default)
  --cluster-cidr CIDR    the pod range (default 10.4.0.0/14, the server's default)
  --internet-host IP     an internet host to create (repeatable; default 8.8.8.8)
  --port N               a port responders report by number (repeatable; default 53,80,443,5432,8080,9090)
  --sweep                only remove namespaces left by realize runs that died, then exit
  -h, --help             this text
`;

const OPTIONS = {
  kubeconfig: { type: 'string' },
  input: { type: 'string' },
  'vpc-cidr': { type: 'string', default: '10.240.0.0/16' },
  'cluster-cidr': { type: 'string', default: '10.4.0.0/14' },
  'internet-host': { type: 'string', multiple: true },
  port: { type: 'string', multiple: true },
  sweep: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** Where the command writes (the process's streams unless a caller captures them). */
export interface CommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

function parsePorts(values: readonly string[] | undefined): number[] | undefined {
  return values?.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port ${v}: not a port`);
    return n;
  });
}

async function loadInput(flags: Flags): Promise<{ input: RealizeInput; warnings: string[] }> {
  if (flags.input) return { input: JSON.parse(readFileSync(flags.input, 'utf8')) as RealizeInput, warnings: [] };
  const kubeconfig = flags.kubeconfig ?? process.env.KUBECONFIG ?? join('.kplane', 'kubeconfig.yaml');
  const opts = {
    vpcCIDR: flags['vpc-cidr']!,
    clusterCIDR: flags['cluster-cidr']!,
    internetHosts: flags['internet-host'] ?? ['8.8.8.8'],
  };
  return realizeInputFromServer(connectionFromKubeconfig(kubeconfig), opts);
}

/** How to look around, with the realized names filled in. */
function summary(r: Realized, input: RealizeInput): string {
  const ns = r.namespaces;
  const entries: [string, string, string][] = [
    ['vpc', ns.vpc, ''],
    ['internet', ns.internet, input.internetHosts.join(', ')],
    ...input.nodes.map((n): [string, string, string] => [
      `node ${n.name}`,
      ns.nodes[n.name],
      n.externalIP ? `${n.internalIP}, external ${n.externalIP}` : n.internalIP,
    ]),
    ...input.pods.map((p): [string, string, string] => [
      `pod ${p.namespace}/${p.name}`,
      ns.pods[`${p.namespace}/${p.name}`],
      p.ip,
    ]),
  ];
  const width = Math.max(...entries.map(([label]) => label.length));
  const rows = entries.map(([label, netns, note]) => `  ${label.padEnd(width)}  ${netns}${note ? `   (${note})` : ''}`);
  const pod = input.pods[0];
  const podNs = pod ? ns.pods[`${pod.namespace}/${pod.name}`] : '<pod netns>';
  const node = input.nodes[0] ? ns.nodes[input.nodes[0].name] : '<node netns>';
  return [
    `realized in ${r.timings.setupMs + r.timings.agentsMs} ms, namespaces prefixed ${r.prefix}:`,
    ...rows,
    ...r.warnings.map((w) => `warning: ${w}`),
    '',
    'try (every responder answers one JSON line: who it is and the source it saw):',
    `  ip netns exec ${podNs} curl -s --http0.9 http://<service or pod IP>:80/`,
    `  ip netns exec ${podNs} bash -c 'cat </dev/tcp/<ip>/<port>'`,
    `  ip netns exec ${node} iptables-save -c        # kube-proxy's rules, with packet counters`,
    `  ip netns exec ${ns.vpc} iptables -L -v -n     # anti-spoofing, firewall, 1:1 NAT`,
    `  ip -n ${ns.vpc} route show table all`,
    'Ctrl-C removes everything.',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM, which then no longer ends the process. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

async function realizeAndHold(flags: Flags, io: CommandIO): Promise<number> {
  const why = await unsupportedReason();
  if (why) {
    io.stderr.write(`kplane: cannot realize the network here: ${why}\n`);
    return 1;
  }
  const { input, warnings } = await loadInput(flags);
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
  // Listening before building: a Ctrl-C during the build then tears down instead of leaving namespaces behind.
  const signalled = untilSignal();
  const r = await realize(input, { ports: parsePorts(flags.port) });
  try {
    io.stdout.write(`${summary(r, input)}\n`);
    await signalled;
  } finally {
    await r.close();
  }
  io.stdout.write('removed.\n');
  return 0;
}

/** Runs `kplane dataplane realize <args>`; resolves with the process exit code (it never exits itself). */
export async function runRealizeCommand(args: string[], io: CommandIO = process): Promise<number> {
  let flags: Flags;
  try {
    flags = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
    parsePorts(flags.port);
  } catch (err) {
    io.stderr.write(`kplane: ${(err as Error).message}\n\n${REALIZE_USAGE}`);
    return 2;
  }
  if (flags.help) {
    io.stdout.write(REALIZE_USAGE);
    return 0;
  }
  try {
    if (flags.sweep) {
      const swept = await sweepStale();
      io.stdout.write(swept.length ? `removed ${swept.join(', ')}\n` : 'nothing to remove\n');
      return 0;
    }
    return await realizeAndHold(flags, io);
  } catch (err) {
    io.stderr.write(`kplane: ${(err as Error).message}\n`);
    return 1;
  }
}
