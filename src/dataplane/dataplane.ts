/**
 * The simulated dataplane of a running control plane: kube-proxy's rules and the dataplane state
 * fed by the controllers' informers, and the network.kplane.io API answered from them.
 */
import type { ServerConfig } from '../config/config.js';
import type { DataplaneApi } from '../http/routes/dataplane.js';
import type { Manager } from '../runtime/manager.js';
import type { Registry } from '../registry/store.js';
import { runTrace } from '../tracer/trace.js';
import { startKubeProxy } from './kube-proxy/informers.js';
import type { CompiledRules } from './kube-proxy/rules.js';
import { nodeDataplane } from './node-dataplane.js';
import { DataplaneState } from './state.js';
import { LiveZone } from '../dns/live-zone.js';
import { dnsSourceFromManager } from '../dns/server.js';

export type DataplaneConfig = Pick<
  ServerConfig,
  'vpcCIDR' | 'clusterCIDR' | 'serviceCIDR' | 'nonMasqueradeCIDRs' | 'clusterDomain' | 'dnsTTL' | 'loadBalancerFailOpen'
>;

export interface DataplaneOptions {
  /** Milliseconds for conntrack and `recent` expiry; default the manager's clock. */
  now?: () => number;
  /** Fault injection for tests (see `DataplaneState`). */
  mutateRules?: (node: string, rules: CompiledRules) => CompiledRules;
  /** Told about an object the DNS records could not take in. */
  onError?: (err: unknown) => void;
}

/** A running dataplane and its API. */
export interface Dataplane {
  state: DataplaneState;
  api: DataplaneApi;
  /** The cluster's DNS records; the DNS server serves the same ones. */
  zone: LiveZone;
  close(): void;
}

/** Yields once so watch events already in the cache reach the informers' handlers. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Builds the dataplane on `manager`'s informers (call before `manager.start()` or after: handlers replay the cache). */
export function startDataplane(
  manager: Manager,
  registry: Registry,
  config: DataplaneConfig,
  opts: DataplaneOptions = {},
): Dataplane {
  const kubeProxy = startKubeProxy(manager, {
    clusterCIDR: config.clusterCIDR,
    nonMasqueradeCIDRs: config.nonMasqueradeCIDRs,
  });
  const zone = new LiveZone(
    dnsSourceFromManager(manager),
    { zone: config.clusterDomain, ttl: config.dnsTTL },
    opts.onError,
  );
  const state = new DataplaneState(manager, {
    config: {
      vpcCIDR: config.vpcCIDR,
      clusterCIDR: config.clusterCIDR,
      serviceCIDR: config.serviceCIDR,
      clusterDomain: config.clusterDomain,
      loadBalancerFailOpen: config.loadBalancerFailOpen,
    },
    zone: zone.index,
    kubeProxy,
    now: opts.now,
    mutateRules: opts.mutateRules,
  });
  const known = (name: string) => state.node(name) !== undefined;
  const api: DataplaneApi = {
    async catchUp() {
      await registry.waitForRevision(registry.currentRevision);
      await nextTurn();
    },
    nodeDataplane: (name) => (known(name) ? nodeDataplane(state, kubeProxy, name) : undefined),
    nodeDataplanes: () => state.nodes().flatMap((n) => nodeDataplane(state, kubeProxy, n.name) ?? []),
    iptables: (name) => (known(name) ? kubeProxy.render(name) : undefined),
    trace: (spec) => runTrace(state, spec),
    resourceVersion: () => String(registry.currentRevision),
  };
  return { state, api, zone, close: () => zone.close() };
}
