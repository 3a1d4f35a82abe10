/**
 * Which queue keys the network-LB controller's secondary objects concern. A key `namespace/name`
 * is a Service; a key without namespace is the shared node health-check firewall, which must go
 * when the last eTP=Cluster load balancer goes, with no Service left to reconcile.
 */
import { loadBalancerName } from '../../src/dataplane/gce-names.js';
import { keyOf, type Listers, type ObjectKey } from '../../src/runtime/api.js';
import { SERVICE_NAME_LABEL } from '../endpointslices/desired.js';
import type { EndpointSlice } from '../../src/registry/kinds/endpointslice/schema.js';
import type { Firewall } from '../../src/registry/kinds/firewall/schema.js';
import type { ForwardingRule } from '../../src/registry/kinds/forwardingrule/schema.js';
import type { Service } from '../../src/registry/kinds/service/schema.js';
import { isHandled, isLocalPolicy, isNamedFor, labelledOwner } from './desired.js';

type ServiceListers = Pick<Listers, 'Service'>;

/** The Services this controller makes load balancers for, as cached. */
export function handledServices(listers: ServiceListers): Service[] {
  return listers.Service.list().filter(isHandled);
}

function unique(keys: readonly ObjectKey[]): ObjectKey[] {
  const byString = new Map(keys.map((k) => [`${k.namespace ?? ''}/${k.name}`, k]));
  return [...byString.values()];
}

/** The owner a cloud object's labels name, and every handled Service whose object would carry its name. */
function ownersOf(
  kind: 'ForwardingRule' | 'Firewall',
  obj: ForwardingRule | Firewall,
  listers: ServiceListers,
): ObjectKey[] {
  const labelled = labelledOwner(obj);
  const named = handledServices(listers).filter((svc) => isNamedFor(svc, kind, obj.metadata.name!));
  return unique([...(labelled ? [{ namespace: labelled.namespace, name: labelled.name }] : []), ...named.map(keyOf)]);
}

/** Every handled Service: a Node change moves every target pool and may change any health. */
export function servicesForNode(listers: ServiceListers): ObjectKey[] {
  return handledServices(listers).map(keyOf);
}

/** The Service of an EndpointSlice, when its load balancer's health depends on endpoints (eTP=Local). */
export function servicesForSlice(slice: EndpointSlice, listers: ServiceListers): ObjectKey[] {
  const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  const svc = name ? listers.Service.get({ namespace: slice.metadata.namespace, name }) : undefined;
  return svc && isHandled(svc) && isLocalPolicy(svc) ? [keyOf(svc)] : [];
}

/**
 * The owner of a ForwardingRule, plus the handled Services that have no rule yet: any rule's
 * change may have freed the address they wait for.
 */
export function servicesForForwardingRule(
  fr: ForwardingRule,
  listers: Pick<Listers, 'Service' | 'ForwardingRule'>,
): ObjectKey[] {
  const waiting = handledServices(listers).filter(
    (svc) => !listers.ForwardingRule.get({ name: loadBalancerName(svc.metadata.uid ?? '') }),
  );
  return unique([...ownersOf('ForwardingRule', fr, listers), ...waiting.map(keyOf)]);
}

/** The owner of a Firewall, or the shared key for the shared health-check firewall. */
export function keysForFirewall(fw: Firewall, listers: ServiceListers, sharedFirewallName: string): ObjectKey[] {
  if (fw.metadata.name === sharedFirewallName) return [{ name: sharedFirewallName }];
  return ownersOf('Firewall', fw, listers);
}
