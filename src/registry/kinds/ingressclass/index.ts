/** networking.k8s.io/v1 ingressclasses (pkg/registry/networking/ingressclass/strategy.go, ValidateIngressClass). */
import { ingressClassOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  invalidEach,
  isDNS1123Label,
  isDNS1123Subdomain,
  regexError,
  validateImmutable,
} from '../../../apimachinery/validation.js';
import { IngressClassSchema, type IngressClass, type IngressClassSpec } from './schema.js';
import type { ResourceType } from '../../resource.js';
import { validateTypedReference } from '../common.js';
import { ingressClassTable } from './table.js';

const MAX_CONTROLLER_LENGTH = 250;
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const SCOPES = ['Cluster', 'Namespace'];

/** Upstream `IsDomainPrefixedPath`: `<DNS subdomain>/<path>`, such as `k8s.io/ingress-gce`. */
function validateDomainPrefixedPath(value: string | undefined, field: string): StatusCause[] {
  if (!value) return [fieldError.required(field)];
  const slash = value.indexOf('/');
  const [host, path] = [value.slice(0, slash), value.slice(slash + 1)];
  if (slash <= 0 || path === '')
    return [fieldError.invalid(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const causes = invalidEach(field, host, isDNS1123Subdomain(host));
  if (!new RegExp(`^${HTTP_PATH_FMT}$`).test(path))
    causes.push(fieldError.invalid(field, path, regexError('Invalid path', HTTP_PATH_FMT)));
  return causes;
}

function validateParameters(params: IngressClassSpec['parameters']): StatusCause[] {
  if (!params) return [];
  const field = 'spec.parameters';
  const causes = validateTypedReference(params, field);
  if (!SCOPES.includes(params.scope))
    return [...causes, fieldError.unsupported(`${field}.scope`, params.scope, SCOPES)];
  if (params.scope === 'Namespace') {
    if (params.namespace === undefined)
      causes.push(fieldError.required(`${field}.namespace`, "`parameters.scope` is set to 'Namespace'"));
    else causes.push(...invalidEach(`${field}.namespace`, params.namespace, isDNS1123Label(params.namespace)));
  }
  if (params.scope === 'Cluster' && params.namespace !== undefined)
    causes.push(fieldError.forbidden(`${field}.namespace`, "`parameters.scope` is set to 'Cluster'"));
  return causes;
}

function validateIngressClass(ic: IngressClass): StatusCause[] {
  const controller = ic.spec.controller;
  const causes: StatusCause[] = [];
  if ((controller?.length ?? 0) > MAX_CONTROLLER_LENGTH)
    causes.push(fieldError.tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
  return [
    ...causes,
    ...validateDomainPrefixedPath(controller, 'spec.controller'),
    ...validateParameters(ic.spec.parameters),
  ];
}

export const ingressClasses: ResourceType<IngressClass, 'IngressClass'> = {
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  singular: 'ingressclass',
  namespaced: false,
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: IngressClassSchema,
  openapi: ingressClassOpenApi,
  strategicMerge: kindPatchMeta(),
  table: ingressClassTable,
  strategy: {
    validate: validateIngressClass,
    validateUpdate: (ic, old) => validateImmutable(ic.spec.controller, old.spec.controller, 'spec.controller'),
  },
};
