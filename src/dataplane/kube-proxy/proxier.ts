/**
 * Incremental kube-proxy rules for every node: a Service or EndpointSlice change recompiles only
 * that Service's fragments (once for all nodes when its rules do not depend on the node), then
 * the touched nodes re-assemble their chains from cached fragments and rendered lines. The
 * output always equals `compileNode` on the same inputs.
 */
import type { Service } from '../../registry/kinds/service/schema.js';
import type { EndpointSlice } from '../../registry/kinds/endpointslice/schema.js';
import { globalFragments, sharedChains } from './global-rules.js';
import { NodeRules, type GlobalRules } from './node-rules.js';
import { isEmptyFragment, renderFragment, type RenderedFragment } from './rendered-fragment.js';
import type { CompiledRules } from './rules.js';
import {
  compareServiceSortKeys,
  compileServiceFragment,
  dependsOnNode,
  serviceKey,
  serviceSortKey,
} from './service-fragment.js';
import { SortedArray } from './sorted-array.js';

/** Cluster-wide inputs of the compiler. */
export interface KubeProxyConfig {
  clusterCIDR: string;
  /** ip-masq-agent's `nonMasqueradeCIDRs`. */
  nonMasqueradeCIDRs: string[];
}

interface NodeState {
  rules: NodeRules;
  /** Services whose fragment for this node is stale. */
  dirty: Set<string>;
}

interface OrderEntry {
  sortKey: string;
  key: string;
}

const compareOrder = (a: OrderEntry, b: OrderEntry): number =>
  compareServiceSortKeys(a.sortKey, b.sortKey) || compareServiceSortKeys(a.key, b.key);

/**
 * The nodes' kube-proxy rules, kept up to date from Service and EndpointSlice events. Objects
 * passed in are kept by reference and must not be mutated afterwards. Reads (`rules`, `render`,
 * `ruleCounts`, `version`) first recompile what changed for that node; unknown nodes throw.
 */
export class KubeProxyRules {
  private readonly global: GlobalRules;
  private readonly services = new Map<string, Service>();
  private readonly slices = new Map<string, EndpointSlice>();
  /** Service key → keys of the slices labelled for it. */
  private readonly slicesOf = new Map<string, Set<string>>();
  private readonly order = new SortedArray<OrderEntry>(compareOrder);
  private readonly orderEntries = new Map<string, OrderEntry>();
  private orderKeys?: string[];
  private readonly nodes = new Map<string, NodeState>();
  /** Fragments of Services whose rules are the same on every node, computed once after each change. */
  private readonly nodeIndependent = new Map<string, RenderedFragment | undefined>();

  constructor(private readonly config: KubeProxyConfig) {
    const global = globalFragments(config.nonMasqueradeCIDRs);
    this.global = {
      head: renderFragment(global.head),
      tail: renderFragment(global.tail),
      shared: { nat: sharedChains(global, 'nat'), filter: sharedChains(global, 'filter') },
    };
  }

  /** The nodes to keep rules for; a new node starts from every known Service, a removed one is forgotten. */
  setNodes(names: readonly string[]): void {
    const wanted = new Set(names);
    for (const name of this.nodes.keys()) if (!wanted.has(name)) this.nodes.delete(name);
    for (const name of wanted) {
      if (!this.nodes.has(name))
        this.nodes.set(name, { rules: new NodeRules(this.global), dirty: new Set(this.services.keys()) });
    }
  }

  /** Adds or replaces a Service. */
  upsertService(svc: Service): void {
    const key = serviceKey(svc.metadata.namespace, svc.metadata.name);
    this.services.set(key, svc);
    this.setOrder(key, { sortKey: serviceSortKey(svc), key });
    this.touch(key);
  }

  /** Removes a Service (its slices stay known, for when it comes back). */
  deleteService(namespace: string, name: string): void {
    const key = serviceKey(namespace, name);
    this.services.delete(key);
    this.setOrder(key, undefined);
    this.touch(key);
  }

  /** Adds or replaces an EndpointSlice; it belongs to the Service named by its `kubernetes.io/service-name` label. */
  upsertEndpointSlice(slice: EndpointSlice): void {
    const key = serviceKey(slice.metadata.namespace, slice.metadata.name);
    this.unlinkSlice(key);
    this.slices.set(key, slice);
    const owner = this.sliceOwner(slice);
    let keys = this.slicesOf.get(owner);
    if (!keys) this.slicesOf.set(owner, (keys = new Set()));
    keys.add(key);
    this.touch(owner);
  }

  /** Removes an EndpointSlice. */
  deleteEndpointSlice(namespace: string, name: string): void {
    this.unlinkSlice(serviceKey(namespace, name));
  }

  /** The node's compiled tables (cached; treat as read-only). */
  rules(node: string): CompiledRules {
    return this.flush(node).rules(this.serviceOrder());
  }

  /** The node's `iptables-save` text, equal to `renderIptablesSave(rules(node))`. */
  render(node: string): string {
    return this.flush(node).render(this.serviceOrder());
  }

  /** How many rules each table of the node holds. */
  ruleCounts(node: string): { nat: number; filter: number } {
    return this.flush(node).ruleCounts();
  }

  /** Starts at 1 when the node is added and bumps whenever its rules change. */
  version(node: string): number {
    return this.flush(node).version;
  }

  private sliceOwner(slice: EndpointSlice): string {
    return serviceKey(slice.metadata.namespace, slice.metadata.labels?.['kubernetes.io/service-name']);
  }

  private unlinkSlice(key: string): void {
    const previous = this.slices.get(key);
    if (!previous) return;
    this.slices.delete(key);
    const owner = this.sliceOwner(previous);
    const keys = this.slicesOf.get(owner);
    keys?.delete(key);
    if (keys?.size === 0) this.slicesOf.delete(owner);
    this.touch(owner);
  }

  private setOrder(key: string, entry: OrderEntry | undefined): void {
    const previous = this.orderEntries.get(key);
    if (previous && entry && previous.sortKey === entry.sortKey) return;
    if (previous) this.order.remove(previous);
    if (entry) {
      this.order.insert(entry);
      this.orderEntries.set(key, entry);
    } else {
      this.orderEntries.delete(key);
    }
    this.orderKeys = undefined;
  }

  private serviceOrder(): string[] {
    this.orderKeys ??= this.order.values().map((e) => e.key);
    return this.orderKeys;
  }

  private touch(key: string): void {
    this.nodeIndependent.delete(key);
    for (const state of this.nodes.values()) state.dirty.add(key);
  }

  private compile(key: string, node: string): RenderedFragment | undefined {
    const svc = this.services.get(key);
    if (!svc) return undefined;
    const slices = [...(this.slicesOf.get(key) ?? [])].map((k) => this.slices.get(k)!);
    const fragment = compileServiceFragment(svc, slices, node, this.config.clusterCIDR);
    return isEmptyFragment(fragment) ? undefined : renderFragment(fragment);
  }

  private fragmentFor(key: string, node: string): RenderedFragment | undefined {
    const svc = this.services.get(key);
    if (!svc || dependsOnNode(svc)) return this.compile(key, node);
    if (!this.nodeIndependent.has(key)) this.nodeIndependent.set(key, this.compile(key, node));
    return this.nodeIndependent.get(key);
  }

  private flush(node: string): NodeRules {
    const state = this.nodes.get(node);
    if (!state) throw new Error(`unknown node "${node}": call setNodes first`);
    if (state.dirty.size > 0) {
      const updates = new Map<string, RenderedFragment | undefined>();
      for (const key of state.dirty) updates.set(key, this.fragmentFor(key, node));
      state.dirty.clear();
      state.rules.apply(updates);
    }
    return state.rules;
  }
}
