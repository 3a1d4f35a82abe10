/**
 * Writes of the network-LB controller: each compares the cached object with what is wanted and
 * writes only a difference, so a resync, or a restarted controller, changes nothing.
 */
import { StatusError } from '../../src/apimachinery/errors.js';
import { semanticEqual } from '../../src/apimachinery/validation.js';
import type { KindMap, ReconcileContext } from '../../src/runtime/api.js';
import type { ForwardingRule, ForwardingRuleBackend } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { isUpToDate, type DesiredObject } from './desired.js';

type WriteContext = Pick<ReconcileContext, 'client' | 'listers' | 'log'>;

/** The cloud kinds the controller owns objects of. */
export type CloudKind = 'ForwardingRule' | 'Firewall';

/**
 * Creates `desired`, or puts the cached object of that name back to it (spec and our labels).
 * Resolves the object as written, or undefined when the create lost to an object the cache has not
 * seen yet (its add event brings the Service back to the queue).
 */
export async function ensureCloudObject<K extends CloudKind>(
  ctx: WriteContext,
  kind: K,
  desired: DesiredObject<KindMap[K]['spec']>,
): Promise<KindMap[K] | undefined> {
  const name = desired.metadata.name;
  const current = ctx.listers[kind].get({ name }) as KindMap[K] | undefined;
  if (!current) {
    try {
      const created = await ctx.client.create(kind, desired as KindMap[K]);
      ctx.log.info('created load balancer object', { kind, name });
      return created;
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) return undefined;
      throw err;
    }
  }
  if (isUpToDate(current, desired)) return current;
  const labels = { ...current.metadata.labels, ...desired.metadata.labels };
  const updated = await ctx.client.update(kind, {
    ...current,
    metadata: { ...current.metadata, labels },
    spec: desired.spec,
  });
  ctx.log.info('restored load balancer object', { kind, name });
  return updated;
}

/** Deletes cloud objects; resolves how many were still there. */
export async function deleteCloudObjects(
  ctx: WriteContext,
  kind: CloudKind,
  objects: readonly { metadata: { name?: string } }[],
): Promise<number> {
  let deleted = 0;
  for (const obj of objects) {
    if (await ctx.client.delete(kind, { name: obj.metadata.name! })) deleted++;
    ctx.log.info('deleted load balancer object', { kind, name: obj.metadata.name });
  }
  return deleted;
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

function publishedIPs(svc: Service): (string | undefined)[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
}

/** Sets `status.loadBalancer.ingress` to `[{ip}]` when it says otherwise. */
export async function publishAddress(ctx: WriteContext, svc: Service, ip: string): Promise<void> {
  if (semanticEqual(publishedIPs(svc), [ip])) return;
  const key = { namespace: svc.metadata.namespace, name: svc.metadata.name! };
  await ctx.client.patch(
    'Service',
    key,
    { status: { loadBalancer: { ingress: [{ ip }] } } },
    { subresource: 'status' },
  );
  ctx.log.info('published load balancer address', { service: `${key.namespace}/${key.name}`, ip });
}

/** Empties `status.loadBalancer` when it lists anything. */
export async function clearAddress(ctx: WriteContext, svc: Service): Promise<void> {
  if (publishedIPs(svc).length === 0) return;
  const key = { namespace: svc.metadata.namespace, name: svc.metadata.name! };
  await ctx.client.patch('Service', key, { status: { loadBalancer: { ingress: null } } }, { subresource: 'status' });
  ctx.log.info('cleared load balancer address', { service: `${key.namespace}/${key.name}` });
}
