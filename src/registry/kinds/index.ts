/** Every built-in kind kplane serves, in the order discovery lists them. */
import type { ResourceType } from '../resource.js';
import { bindings } from './binding/index.js';
import { endpoints } from './endpoints/index.js';
import { endpointSlices } from './endpointslice/index.js';
import { events } from './event/index.js';
import { firewalls } from './firewall/index.js';
import { forwardingRules } from './forwardingrule/index.js';
import { ingresses } from './ingress/index.js';
import { ingressClasses } from './ingressclass/index.js';
import { leases } from './lease/index.js';
import { namespaces } from './namespace/index.js';
import { nodeDataplanes, packetTraces } from './network-kinds.js';
import { nodes } from './node/index.js';
import { pods } from './pod/index.js';
import { routes } from './route/index.js';
import { services } from './service/index.js';

export const builtinResources: readonly ResourceType[] = [
  namespaces,
  nodes,
  pods,
  services,
  endpoints,
  events,
  endpointSlices,
  ingresses,
  ingressClasses,
  leases,
  routes,
  firewalls,
  forwardingRules,
  nodeDataplanes,
  packetTraces,
  bindings,
];
