/** discovery.k8s.io/v1 endpointslices (pkg/registry/discovery/endpointslice/strategy.go, ValidateEndpointSlice). */
import { endpointSliceOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { isIPv6 } from 'node:net';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  isValidIPv4,
  tooMany,
  validateDNS1123Label,
  validateEndpointIP,
  validateImmutable,
  validateLabels,
} from '../../../apimachinery/validation.js';
import { EndpointSliceSchema, type Endpoint, type EndpointSlice, type EndpointSlicePort } from './schema.js';
import type { ResourceType } from '../../resource.js';
import { validateAppProtocol, validateNodeNameRef, validateProtocol } from '../common.js';
import { endpointSliceTable } from './table.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const FQDN_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?\.?$/;

/** One address checked against the slice's address type; unknown types are left alone, as upstream. */
function validateAddress(address: string, addressType: string, path: string): StatusCause[] {
  if (addressType === 'IPv4')
    return isValidIPv4(address)
      ? validateEndpointIP(address, path)
      : [fieldError.invalid(path, address, 'must be a valid IPv4 address')];
  if (addressType === 'IPv6')
    return isIPv6(address)
      ? validateEndpointIP(address, path)
      : [fieldError.invalid(path, address, 'must be a valid IPv6 address')];
  if (addressType === 'FQDN' && !FQDN_RE.test(address))
    return [fieldError.invalid(path, address, 'must be a fully qualified domain name')];
  return [];
}

function validateEndpoint(endpoint: Endpoint, addressType: string, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const addressPath = `${path}.addresses`;
  if (endpoint.addresses.length === 0) causes.push(fieldError.required(addressPath, 'must contain at least 1 address'));
  else if (endpoint.addresses.length > MAX_ADDRESSES)
    causes.push(tooMany(addressPath, endpoint.addresses.length, MAX_ADDRESSES));
  endpoint.addresses.forEach((a, i) => causes.push(...validateAddress(a, addressType, `${addressPath}[${i}]`)));
  causes.push(...validateNodeNameRef(endpoint.nodeName, `${path}.nodeName`));
  const topology = endpoint.deprecatedTopology ?? {};
  if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS)
    causes.push(tooMany(`${path}.deprecatedTopology`, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
  causes.push(...validateLabels(topology, `${path}.deprecatedTopology`));
  if (endpoint.hostname !== undefined) causes.push(...validateDNS1123Label(endpoint.hostname, `${path}.hostname`));
  return causes;
}

function validatePorts(ports: EndpointSlicePort[]): StatusCause[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const names = new Set<string>();
  return ports.flatMap((port, i) => {
    const path = `ports[${i}]`;
    const causes = port.name ? validateDNS1123Label(port.name, `${path}.name`) : [];
    if (names.has(port.name)) causes.push(fieldError.duplicate(`${path}.name`, port.name));
    names.add(port.name);
    return [
      ...causes,
      ...validateProtocol(port.protocol, `${path}.protocol`),
      ...validateAppProtocol(port.appProtocol, `${path}.appProtocol`),
    ];
  });
}

function validateEndpointSlice(slice: EndpointSlice): StatusCause[] {
  const causes = slice.addressType ? [] : [fieldError.required('addressType')];
  if (slice.addressType && !ADDRESS_TYPES.includes(slice.addressType))
    causes.push(fieldError.unsupported('addressType', slice.addressType, ADDRESS_TYPES));
  if (slice.endpoints.length > MAX_ENDPOINTS) causes.push(tooMany('endpoints', slice.endpoints.length, MAX_ENDPOINTS));
  else slice.endpoints.forEach((e, i) => causes.push(...validateEndpoint(e, slice.addressType, `endpoints[${i}]`)));
  return [...causes, ...validatePorts(slice.ports ?? [])];
}

export const endpointSlices: ResourceType<EndpointSlice, 'EndpointSlice'> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: EndpointSliceSchema,
  openapi: endpointSliceOpenApi,
  strategicMerge: kindPatchMeta(),
  table: endpointSliceTable,
  strategy: {
    validate: validateEndpointSlice,
    validateUpdate: (slice, old) => validateImmutable(slice.addressType, old.addressType, 'addressType'),
  },
};
