/** Every built-in kind kplane serves, in the order discovery lists them. */
import type { ResourceType } from '../resource.js';
import { bindings } from './binding.js';
import { endpoints } from './endpoints.js';
import { endpointSlices } from './endpointslice.js';
import { events } from './event.js';
import { firewalls } from './firewall.js';
import { forwardingRules } from './forwardingrule.js';
import { ingresses } from './ingress.js';
import { ingressClasses } from './ingressclass.js';
import { leases } from './lease.js';
import { namespaces } from './namespace.js';
import { nodeDataplanes, packetTraces } from './network.js';
import { nodes } from './node.js';
import { pods } from './pod.js';
import { routes } from './route.js';
import { services } from './service.js';

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
