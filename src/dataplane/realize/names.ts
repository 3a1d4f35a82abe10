/**
 * Names of everything `realize` creates. Every network namespace starts with a per-run prefix
 * `kp<pid>-<n>-`, so a run only ever touches its own namespaces and a later run can tell a dead
 * run's leftovers (its pid is gone) from a live one's.
 */

const PREFIX_PATTERN = /^kp(\d+)-\d+-/;
/** A netns name is a file under /run/netns. */
const MAX_NETNS_NAME = 255;

let runs = 0;

/** A fresh prefix for one realization by this process. */
export function newPrefix(pid = process.pid): string {
  runs += 1;
  return `kp${pid}-${runs}-`;
}

/** The pid that created a netns named with a realize prefix; undefined for any other name. */
export function prefixOwner(netnsName: string): number | undefined {
  const m = PREFIX_PATTERN.exec(netnsName);
  return m ? Number(m[1]) : undefined;
}

/** The realize prefix of a netns name (`kp<pid>-<n>-`); undefined for any other name. */
export function prefixOf(netnsName: string): string | undefined {
  return PREFIX_PATTERN.exec(netnsName)?.[0];
}

function netnsName(prefix: string, rest: string): string {
  const name = `${prefix}${rest}`;
  if (name.length > MAX_NETNS_NAME || /[/\s]/.test(name)) throw new Error(`cannot name a network namespace "${name}"`);
  return name;
}

/** Namespace names of one realization. */
export const netnsNames = {
  vpc: (prefix: string) => netnsName(prefix, 'vpc'),
  internet: (prefix: string) => netnsName(prefix, 'inet'),
  node: (prefix: string, node: string) => netnsName(prefix, `node-${node}`),
  /** Kubernetes namespaces have no dots, so `<ns>.<name>` is unambiguous. */
  pod: (prefix: string, namespace: string, name: string) => netnsName(prefix, `pod-${namespace}.${name}`),
};

/** Interface names (each ≤ 15 characters, unique inside its own namespace). */
export const ifaceNames = {
  /** In the VPC namespace: the far end of node `index`'s eth0. */
  vpcToNode: (index: number) => `node${index}`,
  /** In the VPC namespace: the link to the internet namespace. */
  vpcToInternet: 'inet0',
  /** In a node namespace: the host end of its pod `index`'s eth0. */
  podVeth: (index: number) => `veth${index}`,
  bridge: 'cbr0',
  eth0: 'eth0',
};

/** Key of the agent (responder + client) of a pod, a node or the internet. */
export const agentKeys = {
  pod: (namespace: string, name: string) => `pod:${namespace}/${name}`,
  node: (name: string) => `node:${name}`,
  internet: 'internet',
};
