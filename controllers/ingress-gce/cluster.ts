/**
 * Reads of the informer caches the GCE Ingress controller shares between its reconcile and its
 * watch maps: the cluster UID, which Ingresses are handled, the URL map of one, and which
 * ForwardingRules belong to an Ingress.
 */
import { ingressForwardingRuleName } from '../../src/dataplane/gce-names.js';
import { buildUrlMap, type UrlMap } from '../../src/dataplane/ingress/url-map.js';
import type { Listers, ObjectKey } from '../../src/runtime/api.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Ingress } from '../../src/registry/kinds/ingress/schema.js';
import { isGceIngress } from './class.js';
import { clusterUIDFrom, labelledIngress } from './desired.js';

/** The namespace whose uid the cluster UID is derived from. */
const CLUSTER_UID_NAMESPACE = 'kube-system';

/** The cluster UID (see `clusterUIDFrom`), or undefined while `kube-system` is not in the cache. */
export function findClusterUID(listers: Pick<Listers, 'Namespace'>): string | undefined {
  const ns = listers.Namespace.get({ name: CLUSTER_UID_NAMESPACE });
  return ns && clusterUIDFrom(ns);
}

/** Whether the controller handles `ing`: of the GCE class and not being deleted. */
export function isHandled(ing: Ingress, listers: Pick<Listers, 'IngressClass'>): boolean {
  return !ing.metadata.deletionTimestamp && isGceIngress(ing, (name) => listers.IngressClass.get({ name }));
}

/** `buildUrlMap` on the cached Services. */
export function translate(ing: Ingress, listers: Pick<Listers, 'Service'>, clusterUID: string): UrlMap {
  return buildUrlMap(ing, (namespace, name) => listers.Service.get({ namespace, name }), clusterUID);
}

/** The names of the Services an Ingress's rules and default backend refer to. */
export function referencedServices(ing: Ingress): Set<string> {
  const backends = [
    ...(ing.spec.rules ?? []).flatMap((r) => r.http?.paths.map((p) => p.backend) ?? []),
    ing.spec.defaultBackend,
  ];
  return new Set(backends.flatMap((b) => (b?.service?.name ? [b.service.name] : [])));
}

function isLabelledFor(fr: ForwardingRule, key: ObjectKey): boolean {
  const owner = labelledIngress(fr);
  return owner !== undefined && owner.namespace === key.namespace && owner.name === key.name;
}

/**
 * The ForwardingRules of the Ingress `key`: those labelled for it, and the one carrying its name
 * unless that one is labelled for another Ingress.
 */
export function rulesOfIngress(
  listers: Pick<Listers, 'ForwardingRule'>,
  key: ObjectKey,
  clusterUID: string,
): ForwardingRule[] {
  const named = listers.ForwardingRule.get({ name: ingressForwardingRuleName(key.namespace!, key.name, clusterUID) });
  const labelled = listers.ForwardingRule.list().filter((fr) => isLabelledFor(fr, key));
  const namedIsOurs = named && (!labelledIngress(named) || isLabelledFor(named, key));
  return namedIsOurs && !labelled.includes(named) ? [...labelled, named] : labelled;
}
