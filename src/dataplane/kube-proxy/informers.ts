/**
 * kube-proxy, as the talk puts it: "it watches the API for services" (and their EndpointSlices),
 * and programs every node's iptables. Here one component keeps all nodes' rules, incrementally:
 * an event recompiles only the Service it concerns (see `KubeProxyRules`). It is part of the
 * dataplane, not a reconciler: it only feeds the controllers' shared informers into the rules,
 * which are what `GET …/nodedataplanes/{node}/iptables` serves and what the tracer evaluates.
 */
import { KubeProxyRules, type KubeProxyConfig } from './proxier.js';
import type { Manager } from '../../runtime/manager.js';
import type { EndpointSlice } from '../../registry/kinds/endpointslice/schema.js';
import type { Service } from '../../registry/kinds/service/schema.js';

/** Keeps `KubeProxyRules` in step with the Nodes, Services and EndpointSlices the informers hold. */
export function startKubeProxy(manager: Manager, config: KubeProxyConfig): KubeProxyRules {
  const rules = new KubeProxyRules(config);
  const syncNodes = () => rules.setNodes(manager.listers.Node.list().map((n) => n.metadata.name!));
  manager.informer('Node').addHandler({ onAdd: syncNodes, onDelete: syncNodes });
  manager.informer('Service').addHandler({
    onAdd: (svc) => rules.upsertService(svc as Service),
    onUpdate: (_old, svc) => rules.upsertService(svc as Service),
    onDelete: (svc) => rules.deleteService(svc.metadata.namespace!, svc.metadata.name!),
  });
  manager.informer('EndpointSlice').addHandler({
    onAdd: (slice) => rules.upsertEndpointSlice(slice as EndpointSlice),
    onUpdate: (_old, slice) => rules.upsertEndpointSlice(slice as EndpointSlice),
    onDelete: (slice) => rules.deleteEndpointSlice(slice.metadata.namespace!, slice.metadata.name!),
  });
  syncNodes();
  return rules;
}
