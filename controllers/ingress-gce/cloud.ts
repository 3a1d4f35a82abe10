/**
 * Writes of the GCE Ingress controller to the simulated cloud: each function compares the cached
 * object with what is wanted and writes only a difference, so a resync (or a second controller
 * instance) changes nothing.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { semanticEqual } from '../../src/apimachinery/validation.js';
import { l7FirewallName } from '../../src/dataplane/gce-names.js';
import type { ReconcileContext } from '../../src/runtime/api.js';
import type { ForwardingRule, ForwardingRuleBackend } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import { isHandled, translate } from './cluster.js';
import { backendNodePorts, desiredL7Firewall, forwardingRuleUpToDate, type DesiredForwardingRule } from './desired.js';

type WriteContext = Pick<ReconcileContext, 'client' | 'listers' | 'log'>;

function isConflict(err: unknown): boolean {
  return err instanceof StatusError && err.code === 409;
}

/**
 * Creates `desired`, or puts `current` (the cached rule of that name) back to it. Resolves the
 * rule as written, or undefined when the create lost to an existing rule the cache has not seen
 * yet (its add event reconciles the Ingress again).
 */
export async function ensureForwardingRule(
  ctx: WriteContext,
  current: ForwardingRule | undefined,
  desired: DesiredForwardingRule,
): Promise<ForwardingRule | undefined> {
  const name = desired.metadata.name;
  if (!current) {
    try {
      const created = await ctx.client.create('ForwardingRule', desired);
      ctx.log.info('created ingress forwarding rule', { forwardingRule: name, ip: desired.spec.ipAddress });
      return created;
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }
  if (forwardingRuleUpToDate(current, desired)) return current;
  const labels = { ...current.metadata.labels, ...desired.metadata.labels };
  const updated = await ctx.client.update('ForwardingRule', {
    ...current,
    metadata: { ...current.metadata, labels },
    spec: desired.spec,
  });
  ctx.log.info('updated ingress forwarding rule', { forwardingRule: name, ip: desired.spec.ipAddress });
  return updated;
}

/** Writes the backends' health to the rule's status when it differs. */
export async function ensureBackends(
  ctx: WriteContext,
  fr: ForwardingRule,
  backends: ForwardingRuleBackend[],
): Promise<void> {
  if (semanticEqual(fr.status?.backends, backends)) return;
  await ctx.client.patch(
    'ForwardingRule',
    { name: fr.metadata.name! },
    { status: { backends } },
    { subresource: 'status' },
  );
}

/** Deletes ForwardingRules; resolves the addresses they held. */
export async function deleteForwardingRules(ctx: WriteContext, rules: readonly ForwardingRule[]): Promise<string[]> {
  for (const fr of rules) {
    await ctx.client.delete('ForwardingRule', { name: fr.metadata.name! });
    ctx.log.info('deleted ingress forwarding rule', { forwardingRule: fr.metadata.name, ip: fr.spec.ipAddress });
  }
  return rules.map((fr) => fr.spec.ipAddress);
}

/** Sets `status.loadBalancer.ingress` to exactly `[{ip}]` when it differs. */
export async function ensureIngressAddress(ctx: WriteContext, ing: Ingress, ip: string): Promise<void> {
  const wanted = [{ ip }];
  if (semanticEqual(ing.status?.loadBalancer?.ingress, wanted)) return;
  await ctx.client.patch(
    'Ingress',
    { namespace: ing.metadata.namespace, name: ing.metadata.name! },
    { status: { loadBalancer: { ingress: wanted } } },
    { subresource: 'status' },
  );
  ctx.log.info('published ingress address', { ingress: `${ing.metadata.namespace}/${ing.metadata.name}`, ip });
}

/** Removes the addresses in `released` from `status.loadBalancer.ingress` (other entries are another controller's). */
export async function removeIngressAddresses(
  ctx: WriteContext,
  ing: Ingress,
  released: readonly string[],
): Promise<void> {
  const current = ing.status?.loadBalancer?.ingress ?? [];
  const kept = current.filter((entry) => !entry.ip || !released.includes(entry.ip));
  if (kept.length === current.length) return;
  await ctx.client.patch(
    'Ingress',
    { namespace: ing.metadata.namespace, name: ing.metadata.name! },
    { status: { loadBalancer: { ingress: kept } } },
    { subresource: 'status' },
  );
}

/**
 * Makes the shared firewall `k8s-fw-l7--<uid>` open exactly the nodePorts the handled Ingresses
 * (as cached now) send traffic to, and deletes it when there are none.
 */
export async function syncL7Firewall(ctx: WriteContext, clusterUID: string): Promise<void> {
  const handled = ctx.listers.Ingress.list().filter((ing) => isHandled(ing, ctx.listers));
  const ports = handled.flatMap((ing) => backendNodePorts(translate(ing, ctx.listers, clusterUID)));
  const desired = desiredL7Firewall(clusterUID, ports);
  const name = l7FirewallName(clusterUID);
  const current = ctx.listers.Firewall.get({ name });
  if (!desired) {
    if (current && (await ctx.client.delete('Firewall', { name })))
      ctx.log.info('deleted L7 firewall rule', { firewall: name });
    return;
  }
  if (!current) {
    try {
      await ctx.client.create('Firewall', desired);
      ctx.log.info('created L7 firewall rule', { firewall: name, ports: desired.spec.allowed?.[0].ports });
    } catch (err) {
      // Already there: the cache is behind, and its add event syncs the rule again.
      if (!isConflict(err)) throw err;
    }
    return;
  }
  if (semanticEqual(current.spec, desired.spec)) return;
  await ctx.client.update('Firewall', { ...current, spec: desired.spec });
  ctx.log.info('updated L7 firewall rule', { firewall: name, ports: desired.spec.allowed?.[0].ports });
}
