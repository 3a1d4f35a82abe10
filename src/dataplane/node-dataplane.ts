/**
 * The NodeDataplane objects (docs/network-model.md#nodedataplane): what `ip addr`, `ip route`, `iptables-save | wc -l`
 * and `conntrack -L` would show on the simulated VM, built on request from the live dataplane.
 */
import type { NodeDataplane } from '../registry/kinds/nodedataplane/schema.js';
import { describePacket } from '../tracer/walk.js';
import { firstHost } from '../net/ipv4.js';
import type { KubeProxyRules } from './kube-proxy/proxier.js';
import { renderRule } from './kube-proxy/render.js';
import type { CompiledRules } from './kube-proxy/rules.js';
import type { DataplaneState } from './state.js';

const API_VERSION = 'network.kplane.io/v1alpha1';

/** NodeDataplane lists at most this many NAT rules; `/iptables` always has them all. */
const MAX_LISTED_NAT_RULES = 2000;

/** The nat table as `iptables-save` lines (the first MAX_LISTED_NAT_RULES, and how many more there are). */
function natRuleLines(rules: CompiledRules, total: number): { natRules: string[]; natRulesOmitted?: number } {
  const lines: string[] = [];
  for (const chain of rules.nat) {
    for (const rule of chain.rules) {
      if (lines.length === MAX_LISTED_NAT_RULES) return { natRules: lines, natRulesOmitted: total - lines.length };
      lines.push(renderRule(chain.name, rule));
    }
  }
  return { natRules: lines };
}

/** The node's NodeDataplane, or undefined when no such node has an address yet. */
export function nodeDataplane(
  state: DataplaneState,
  kubeProxy: KubeProxyRules,
  name: string,
): NodeDataplane | undefined {
  const node = state.node(name);
  const object = state.nodeObject(name);
  if (!node || !object) return undefined;
  const prefix = node.podCIDR?.split('/')[1];
  const pods = state.podsOnNode(name).sort((a, b) => (a.veth < b.veth ? -1 : 1));
  const counts = kubeProxy.ruleCounts(name);
  const rules = state.rules(name);
  const nowMs = state.now();
  return {
    apiVersion: API_VERSION,
    kind: 'NodeDataplane',
    metadata: {
      name,
      uid: object.metadata.uid,
      creationTimestamp: object.metadata.creationTimestamp,
      resourceVersion: object.metadata.resourceVersion,
    },
    status: {
      internalIP: node.internalIP,
      ...(node.externalIP ? { externalIP: node.externalIP } : {}),
      ...(node.podCIDR ? { podCIDR: node.podCIDR } : {}),
      canIpForward: node.canIpForward,
      interfaces: [
        { name: 'eth0', netns: 'root', addresses: [`${node.internalIP}/32`] },
        ...(node.cbr0IP ? [{ name: 'cbr0', netns: 'root', addresses: [`${node.cbr0IP}/${prefix}`] }] : []),
        ...pods.map((p) => ({
          name: p.veth,
          netns: 'root',
          master: 'cbr0',
          peer: `pod:${p.namespace}/${p.name} eth0 ${p.ip}/${prefix} default via ${node.cbr0IP}`,
        })),
      ],
      routes: [
        `default via ${firstHost(state.config.vpcCIDR)} dev eth0`,
        ...(node.podCIDR ? [`${node.podCIDR} dev cbr0 proto kernel scope link src ${node.cbr0IP}`] : []),
      ],
      rules: { nat: counts.nat, filter: counts.filter, chains: rules.nat.length + rules.filter.length },
      ...natRuleLines(rules, counts.nat),
      conntrack: state
        .conntrack(name)
        .entries(nowMs)
        .map((e) => ({
          id: e.id,
          protocol: e.original.protocol,
          original: describePacket(e.original),
          reply: describePacket(e.reply),
          expiresInSeconds: Math.ceil((e.expiresAt - nowMs) / 1000),
        })),
    },
  };
}
