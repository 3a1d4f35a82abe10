/** networking.k8s.io/v1 ingresses (pkg/registry/networking/ingress/strategy.go, ValidateIngress). */
import { Ingress as IngressMessage } from './protobuf.js';
import { ingressOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  invalidEach,
  isDNS1035Label,
  isDNS1123Subdomain,
  isValidIP,
  isValidPortName,
  isWildcardDNS1123Subdomain,
  validatePortNumber,
} from '../../../apimachinery/validation.js';
import {
  IngressSchema,
  type HTTPIngressPath,
  type Ingress,
  type IngressBackend,
  type IngressRule,
  type IngressSpec,
} from './schema.js';
import type { ResourceType } from '../../resource.js';
import { validateLoadBalancerIngress, validateTypedReference } from '../common.js';
import { ingressTable } from './table.js';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** A backend is exactly one of a Service (by name, with a port name xor number) or a typed resource. */
function validateBackend(backend: IngressBackend, path: string): StatusCause[] {
  const { service, resource } = backend;
  if (service && resource) return [fieldError.invalid(path, '', 'cannot set both resource and service backends')];
  if (resource) return validateTypedReference(resource, `${path}.resource`);
  if (!service) return [fieldError.invalid(path, '', 'resource or service backend is required')];
  const causes: StatusCause[] = [];
  if (!service.name) causes.push(fieldError.required(`${path}.service.name`));
  else causes.push(...invalidEach(`${path}.service.name`, service.name, isDNS1035Label(service.name)));
  const { name, number } = service.port;
  if (name && number) causes.push(fieldError.invalid(path, '', 'cannot set both port name & port number'));
  else if (name) causes.push(...invalidEach(`${path}.service.port.name`, name, isValidPortName(name)));
  else if (number) causes.push(...validatePortNumber(number, `${path}.service.port.number`));
  else causes.push(fieldError.required(path, 'port name or number is required'));
  return causes;
}

/** Exact and Prefix paths are absolute and clean; ImplementationSpecific ones only absolute when set. */
function validateHTTPPath(p: HTTPIngressPath, path: string): StatusCause[] {
  if (p.pathType === undefined) return [fieldError.required(`${path}.pathType`, 'pathType must be specified')];
  const value = p.path ?? '';
  const field = `${path}.path`;
  const causes: StatusCause[] = [];
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) causes.push(fieldError.invalid(field, value, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES)
      if (value.includes(seq)) causes.push(fieldError.invalid(field, value, `must not contain '${seq}'`));
    for (const suffix of INVALID_PATH_SUFFIXES)
      if (value.endsWith(suffix)) causes.push(fieldError.invalid(field, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) causes.push(fieldError.invalid(field, value, 'must be an absolute path'));
  } else {
    causes.push(fieldError.unsupported(`${path}.pathType`, p.pathType, PATH_TYPES));
  }
  return [...causes, ...validateBackend(p.backend, `${path}.backend`)];
}

/** A rule's host is a DNS name (a leading `*.` wildcard allowed), never an IP. */
function validateHost(host: string, field: string): StatusCause[] {
  const causes = isValidIP(host) ? [fieldError.invalid(field, host, 'must be a DNS name, not an IP address')] : [];
  return [
    ...causes,
    ...invalidEach(field, host, host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)),
  ];
}

function validateRule(rule: IngressRule, path: string): StatusCause[] {
  const causes = rule.host ? validateHost(rule.host, `${path}.host`) : [];
  if (!rule.http) return causes;
  if (rule.http.paths.length === 0) causes.push(fieldError.required(`${path}.http.paths`));
  rule.http.paths.forEach((p, i) => causes.push(...validateHTTPPath(p, `${path}.http.paths[${i}]`)));
  return causes;
}

function validateTLS(tls: IngressSpec['tls']): StatusCause[] {
  return (tls ?? []).flatMap((entry, i) => {
    const path = `spec.tls[${i}]`;
    const hosts = (entry.hosts ?? []).flatMap((h, j) =>
      invalidEach(`${path}.hosts[${j}]`, h, h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h)),
    );
    const secret = entry.secretName
      ? invalidEach(`${path}.secretName`, entry.secretName, isDNS1123Subdomain(entry.secretName))
      : [];
    return [...hosts, ...secret];
  });
}

function validateIngress(ing: Ingress): StatusCause[] {
  const spec = ing.spec;
  const causes: StatusCause[] = [];
  if (!spec.rules?.length && !spec.defaultBackend)
    causes.push(fieldError.invalid('spec', spec.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) causes.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  spec.rules?.forEach((r, i) => causes.push(...validateRule(r, `spec.rules[${i}]`)));
  causes.push(...validateTLS(spec.tls));
  if (spec.ingressClassName !== undefined)
    causes.push(
      ...invalidEach('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)),
    );
  return [...causes, ...validateLoadBalancerIngress(ing.status?.loadBalancer?.ingress, 'status.loadBalancer.ingress')];
}

export const ingresses: ResourceType<Ingress, 'Ingress'> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  singular: 'ingress',
  namespaced: true,
  shortNames: ['ing'],
  hasStatus: true,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: IngressSchema,
  openapi: ingressOpenApi,
  protobuf: IngressMessage,
  strategicMerge: kindPatchMeta(),
  table: ingressTable,
  strategy: {
    prepareForCreate(ing) {
      ing.status = { loadBalancer: {} };
    },
    validate: validateIngress,
  },
};
