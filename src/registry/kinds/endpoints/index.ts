/** core/v1 endpoints (pkg/registry/core/endpoint/strategy.go, ValidateEndpoints, RepackSubsets). */
import { endpointsOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  validateDNS1123Label,
  validateEndpointIP,
  validateIP,
  validatePortNumber,
} from '../../../apimachinery/validation.js';
import {
  EndpointsSchema,
  type EndpointAddress,
  type EndpointPort,
  type EndpointSubset,
  type Endpoints,
} from './schema.js';
import type { ResourceType } from '../../resource.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import { validateAppProtocol, validateNodeNameRef, validateProtocol } from '../common.js';
import { endpointsTable } from './table.js';

function validateAddress(address: EndpointAddress, path: string): StatusCause[] {
  const invalidIP = validateIP(address.ip, `${path}.ip`);
  return [
    ...(invalidIP.length ? invalidIP : validateEndpointIP(address.ip, `${path}.ip`)),
    ...(address.hostname ? validateDNS1123Label(address.hostname, `${path}.hostname`) : []),
    ...validateNodeNameRef(address.nodeName, `${path}.nodeName`),
  ];
}

function validatePort(port: EndpointPort, path: string, requireName: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  if (requireName && !port.name) causes.push(fieldError.required(`${path}.name`));
  else if (port.name) causes.push(...validateDNS1123Label(port.name, `${path}.name`));
  return [
    ...causes,
    ...validatePortNumber(port.port, `${path}.port`),
    ...validateProtocol(port.protocol, `${path}.protocol`),
    ...validateAppProtocol(port.appProtocol, `${path}.appProtocol`),
  ];
}

function validateSubset(subset: EndpointSubset, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  // A headless Service's Endpoints may have no ports, but every subset needs an address.
  if (!subset.addresses?.length && !subset.notReadyAddresses?.length)
    causes.push(fieldError.required(path, 'must specify `addresses` or `notReadyAddresses`'));
  subset.addresses?.forEach((a, i) => causes.push(...validateAddress(a, `${path}.addresses[${i}]`)));
  subset.notReadyAddresses?.forEach((a, i) => causes.push(...validateAddress(a, `${path}.notReadyAddresses[${i}]`)));
  subset.ports?.forEach((p, i) =>
    causes.push(...validatePort(p, `${path}.ports[${i}]`, (subset.ports?.length ?? 0) > 1)),
  );
  return causes;
}

/** An address is identified by its IP and the UID of the object it points to. */
const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort | undefined) =>
  p ? JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? '']) : '';
const byKey =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * Upstream `RepackSubsets`: regroups addresses so each subset holds exactly the addresses that
 * share one set of ports (an address ready anywhere counts as ready), then sorts addresses, ports
 * and subsets, so equal content always has one layout. Subsets are ordered by their first
 * address rather than upstream's hash.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  for (const subset of subsets) {
    for (const port of subset.ports?.length ? subset.ports : [undefined]) {
      const entry = byPort.get(portKey(port)) ?? { port, ready: new Map<string, boolean>() };
      byPort.set(portKey(port), entry);
      const record = (a: EndpointAddress, ready: boolean) => {
        const key = addressKey(a);
        if (!addresses.has(key)) addresses.set(key, a);
        entry.ready.set(key, ready || entry.ready.get(key) === true);
      };
      subset.addresses?.forEach((a) => record(a, true));
      subset.notReadyAddresses?.forEach((a) => record(a, false));
    }
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const groupKey = JSON.stringify([...ready].sort());
    const group = groups.get(groupKey) ?? { ready, ports: [] };
    groups.set(groupKey, group);
    if (port) group.ports.push(port);
  }
  const repacked = [...groups.values()].map(({ ready, ports }) => toSubset(ready, ports, addresses));
  return repacked
    .filter((s) => s.addresses || s.notReadyAddresses)
    .sort(byKey((s) => addressKey((s.addresses ?? s.notReadyAddresses ?? [])[0])));
}

function toSubset(
  ready: Map<string, boolean>,
  ports: EndpointPort[],
  addresses: Map<string, EndpointAddress>,
): EndpointSubset {
  const pick = (want: boolean) =>
    [...ready]
      .filter(([, r]) => r === want)
      .map(([k]) => addresses.get(k) as EndpointAddress)
      .sort(byKey(addressKey));
  const subset: EndpointSubset = {};
  const [readyAddresses, notReady] = [pick(true), pick(false)];
  if (readyAddresses.length) subset.addresses = readyAddresses;
  if (notReady.length) subset.notReadyAddresses = notReady;
  if (ports.length) subset.ports = ports.sort(byKey(portKey));
  return subset;
}

/** Endpoints by the `namespace/name` of each Pod their addresses reference (targetRef). */
export const endpointsPodIndex = 'targetRef.pod';

function podsListedIn(obj: KubeObject): string[] {
  const ep = obj as Endpoints;
  const names = new Set<string>();
  for (const s of ep.subsets ?? []) {
    for (const a of [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]) {
      if (a.targetRef?.kind === 'Pod' && a.targetRef.name) names.add(`${ep.metadata.namespace}/${a.targetRef.name}`);
    }
  }
  return [...names];
}

export const endpoints: ResourceType<Endpoints, 'Endpoints'> = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: EndpointsSchema,
  openapi: endpointsOpenApi,
  strategicMerge: kindPatchMeta(),
  informerIndexes: { [endpointsPodIndex]: podsListedIn },
  table: endpointsTable,
  strategy: {
    validate: (ep) => (ep.subsets ?? []).flatMap((s, i) => validateSubset(s, `subsets[${i}]`)),
    canonicalize(ep) {
      if (ep.subsets) ep.subsets = repackSubsets(ep.subsets);
    },
  },
};
