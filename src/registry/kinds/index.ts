/**
 * The one list of built-in kinds: add a kind here (one line) and in its folder, and the registry,
 * routes, discovery, OpenAPI, protobuf decoding, strategic merge patch and the controller SDK's
 * `KindMap`, informers and listers all follow. Order is discovery's order.
 */
import type { ResourceType } from '../resource.js';
import { bindings } from './binding/index.js';
import { customResourceDefinitions } from './customresourcedefinition/index.js';
import { endpoints } from './endpoints/index.js';
import { endpointSlices } from './endpointslice/index.js';
import { events } from './event/index.js';
import { firewalls } from './firewall/index.js';
import { forwardingRules } from './forwardingrule/index.js';
import { ingresses } from './ingress/index.js';
import { ingressClasses } from './ingressclass/index.js';
import { leases } from './lease/index.js';
import { namespaces } from './namespace/index.js';
import { nodeDataplanes } from './nodedataplane/index.js';
import { nodes } from './node/index.js';
import { packetTraces } from './packettrace/index.js';
import { pods } from './pod/index.js';
import { routes } from './route/index.js';
import { services } from './service/index.js';

/** Kinds kept in storage: served by the generic registry, and watchable by controllers. */
export const storedKinds = [
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
  customResourceDefinitions,
] as const;

/** Kinds answered by their own routes, never stored (see `ResourceType.custom`). */
export const servedKinds = [nodeDataplanes, packetTraces, bindings] as const;

/** Every built-in kind kplane serves, in the order discovery lists them. */
export const builtinKinds: readonly ResourceType[] = [...storedKinds, ...servedKinds];

type StoredKind = (typeof storedKinds)[number];

/** The object type of a kind definition. */
type ObjectOf<R> = R extends ResourceType<infer T, string> ? T : never;

/** The stored kinds' object types by kind name (`KindMap['Pod']` is `Pod`), inferred from the list. */
export type KindMap = { [R in StoredKind as R['kind']]: ObjectOf<R> };

/** The name of a stored kind: what a controller can watch, list and write. */
export type Kind = keyof KindMap;

/** The stored kinds' names, in discovery order. */
export const storedKindNames: readonly Kind[] = storedKinds.map((rt) => rt.kind);
