/**
 * GKE's cluster firewall rules (`firewalls` in `--controllers`; docs/network-model.md#firewall),
 * created at start and kept: a deleted one is created again, an edited one is put back.
 *
 * - `gke-<clusterName>-all`: from the cluster (pod) CIDR, every protocol, to every node: pod↔pod
 *   traffic across nodes.
 * - `gke-<clusterName>-vms`: from the VPC (node) range, tcp/udp 1-65535 and icmp, to every node:
 *   node↔node traffic, and node→pod.
 *
 * GKE names them `gke-<cluster>-<hash>-all|vms` and targets the nodes' network tag; kplane has one
 * cluster and no tags, so the names drop the hash and the rules leave `targetNodes` unset.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { semanticEqual } from '../../src/apimachinery/validation.js';
import { defineController, type ReconcileContext, type Reconciler } from '../../src/runtime/api.js';
import type { FirewallSpec } from '../../src/registry/kinds/firewall/schema.js';

/** The server configuration the firewall controller needs. */
export interface GkeFirewallOptions {
  clusterName: string;
  clusterCIDR: string;
  vpcCIDR: string;
}

const GKE_RULE_PRIORITY = 1000;

/** A cluster firewall rule as the controller writes it. */
export type GkeFirewall = {
  metadata: { name: string };
  spec: FirewallSpec;
};

/** The two rules every cluster gets, in creation order. */
export function gkeFirewalls(opts: GkeFirewallOptions): GkeFirewall[] {
  return [
    {
      metadata: { name: `gke-${opts.clusterName}-all` },
      spec: {
        sourceRanges: [opts.clusterCIDR],
        allowed: [{ protocol: 'all' }],
        priority: GKE_RULE_PRIORITY,
        description:
          'GKE: lets pods reach pods on every node (pod↔pod across nodes), all protocols from the cluster CIDR.',
      },
    },
    {
      metadata: { name: `gke-${opts.clusterName}-vms` },
      spec: {
        sourceRanges: [opts.vpcCIDR],
        allowed: [
          { protocol: 'tcp', ports: ['1-65535'] },
          { protocol: 'udp', ports: ['1-65535'] },
          { protocol: 'icmp' },
        ],
        priority: GKE_RULE_PRIORITY,
        description: 'GKE: lets nodes reach nodes and pods (node↔node), tcp, udp and icmp from the VPC range.',
      },
    },
  ];
}

/** Creates `desired` when missing; puts its spec back when edited. */
async function ensureFirewall(
  ctx: Pick<ReconcileContext, 'client' | 'listers' | 'log'>,
  desired: GkeFirewall,
): Promise<void> {
  const name = desired.metadata.name;
  const current = ctx.listers.Firewall.get({ name });
  if (!current) {
    try {
      await ctx.client.create('Firewall', desired);
      ctx.log.info('created cluster firewall rule', { firewall: name });
    } catch (err) {
      // Already there: the cache is behind, and its add event reconciles this rule again.
      if (!(err instanceof StatusError && err.code === 409)) throw err;
    }
    return;
  }
  if (semanticEqual(current.spec, desired.spec)) return;
  await ctx.client.update('Firewall', { ...current, spec: desired.spec });
  ctx.log.info('restored cluster firewall rule', { firewall: name });
}

/** The GKE firewall controller, keyed by Firewall; other Firewalls are left alone. */
export function gkeFirewallController(opts: GkeFirewallOptions): Reconciler<'Firewall'> {
  const rules = new Map(gkeFirewalls(opts).map((fw) => [fw.metadata.name, fw]));
  return defineController({
    name: 'firewalls',
    for: 'Firewall',
    async start(ctx) {
      for (const fw of rules.values()) await ensureFirewall(ctx, fw);
    },
    async reconcile(ctx, key) {
      const desired = rules.get(key.name);
      if (desired) await ensureFirewall(ctx, desired);
    },
  });
}
