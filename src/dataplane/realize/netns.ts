/**
 * Builds a RealizePlan for real (root, Linux network namespaces) and tears it down. Everything it
 * creates lives in namespaces named with its run prefix: nothing is attached to the host's
 * network, and every namespace and process is removed on close, on failure, and (for runs whose
 * process died) by the stale-prefix sweep at the start of the next run.
 */
import { Agent } from './agent.js';
import { run } from './exec.js';
import type { RealizeInput, RealizeOptions } from './input.js';
import { newPrefix, prefixOf, prefixOwner } from './names.js';
import { planRealize, type RealizedNamespaces } from './topology.js';

/** How long the phases took, in milliseconds. */
interface RealizeTimings {
  /** Namespaces, links, addresses, routes, sysctls and iptables. */
  setupMs: number;
  /** Starting every agent until all listen. */
  agentsMs: number;
}

/** A built network. `close()` removes it (idempotent). */
export interface Realized {
  readonly prefix: string;
  readonly namespaces: RealizedNamespaces;
  readonly warnings: readonly string[];
  readonly timings: RealizeTimings;
  /** The agent of `pod:<ns>/<name>`, `node:<name>` or `internet` (see names.ts agentKeys). */
  agent(key: string): Agent | undefined;
  close(): Promise<void>;
}

/** Names of the host's network namespaces (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const out = await run({ argv: ['ip', 'netns', 'list'] });
  return out
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter(Boolean);
}

/** Kills, by pid, every process still inside one of `names` (only ever processes a realize run started). */
async function killProcessesIn(names: readonly string[]): Promise<void> {
  for (const name of names) {
    const pids = await run({ argv: ['ip', 'netns', 'pids', name] }).catch(() => '');
    for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
}

/** Removes every namespace whose name starts with `prefix`, after killing what runs in them. */
async function removeNamespaces(prefix: string): Promise<void> {
  const names = (await listNamespaces()).filter((n) => n.startsWith(prefix));
  if (names.length === 0) return;
  await killProcessesIn(names);
  // -force: keep deleting past a namespace that is already gone.
  await run({ argv: ['ip', '-force', '-batch', '-'], stdin: names.map((n) => `netns del ${n}`).join('\n') + '\n' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the namespaces of realize runs whose process is gone; returns their prefixes. */
export async function sweepStale(): Promise<string[]> {
  const stale = new Set<string>();
  for (const name of await listNamespaces()) {
    const owner = prefixOwner(name);
    if (owner !== undefined && owner !== process.pid && !isAlive(owner)) stale.add(prefixOf(name)!);
  }
  for (const prefix of stale) await removeNamespaces(prefix);
  return [...stale];
}

async function stopAll(agents: readonly Agent[]): Promise<void> {
  await Promise.all(agents.map((a) => a.stop()));
}

/** Starts every agent; on any failure stops the ones that started and rethrows. */
async function startAgents(specs: Parameters<typeof Agent.start>[0][]): Promise<Map<string, Agent>> {
  const results = await Promise.allSettled(specs.map((s) => Agent.start(s)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll(started);
    throw failed.reason;
  }
  return new Map(started.map((a) => [a.spec.key, a]));
}

/**
 * Builds `input` in network namespaces (needs root) and starts an agent in every pod, node and the
 * internet namespace. On failure everything created so far is removed before the error is thrown.
 */
export async function realize(input: RealizeInput, options: RealizeOptions = {}): Promise<Realized> {
  await sweepStale();
  const plan = planRealize(input, newPrefix(), options);
  const t0 = performance.now();
  let agents = new Map<string, Agent>();
  try {
    for (const command of plan.setup) await run(command);
    const t1 = performance.now();
    agents = await startAgents(plan.agents);
    const timings = { setupMs: Math.round(t1 - t0), agentsMs: Math.round(performance.now() - t1) };
    let closing: Promise<void> | undefined;
    return {
      prefix: plan.prefix,
      namespaces: plan.namespaces,
      warnings: plan.warnings,
      timings,
      agent: (key) => agents.get(key),
      close: () => (closing ??= stopAll([...agents.values()]).then(() => removeNamespaces(plan.prefix))),
    };
  } catch (err) {
    await stopAll([...agents.values()]);
    await removeNamespaces(plan.prefix);
    throw err;
  }
}

/**
 * Why this machine cannot realize a network (not root, no `ip`/`iptables-restore`, no network
 * namespaces, no br_netfilter, iptables matches missing), or undefined when it can. Tries it in a
 * throw-away namespace.
 */
export async function unsupportedReason(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux, not ${process.platform}`;
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces, veths and iptables rules';
  const name = `${newPrefix()}check`;
  try {
    await run({ argv: ['ip', 'netns', 'add', name] });
    await run({
      argv: ['ip', 'netns', 'exec', name, 'sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1'],
    }).catch((err: Error) => {
      throw new Error(
        `br_netfilter is unavailable (modprobe br_netfilter), so bridged pod traffic would skip iptables: ${err.message}`,
      );
    });
    await run({ argv: ['ip', 'netns', 'exec', name, 'iptables-restore'], stdin: SUPPORT_CHECK_RULES });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await removeNamespaces(name).catch(() => undefined);
  }
}

/** One rule per iptables extension the realized network uses. */
const SUPPORT_CHECK_RULES = `*nat
-A PREROUTING -p tcp -m tcp --dport 80 -m statistic --mode random --probability 0.5 -j DNAT --to-destination 10.0.0.1:80
-A POSTROUTING -m mark --mark 0x4000/0x4000 -m addrtype ! --dst-type LOCAL -j MASQUERADE --random-fully
-A POSTROUTING -s 10.0.0.1/32 -j SNAT --to-source 192.0.2.1
COMMIT
*filter
-A FORWARD -m conntrack --ctstate NEW -m recent --set --name X --mask 255.255.255.255 --rsource -m comment --comment "check" -j REJECT --reject-with icmp-port-unreachable
-A FORWARD -j MARK --set-xmark 0x4000/0x4000
COMMIT
`;
