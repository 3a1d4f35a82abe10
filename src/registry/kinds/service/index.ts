/** core/v1 services (pkg/registry/core/service/strategy.go, ValidateService / ValidateServiceUpdate). */
import { Service as ServiceMessage } from './protobuf.js';
import { serviceOpenApi } from './openapi.js';
import { byType, kindPatchMeta, mergeBy } from '../../../apimachinery/patch.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  INVALID_CIDR_MESSAGE,
  invalidEach,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isValidCIDR,
  semanticEqual,
  validateDNS1123Label,
  validateEndpointIP,
  validateEnum,
  validateImmutable,
  validateIP,
  validateLabels,
  validatePortNumber,
  validateQualifiedName,
} from '../../../apimachinery/validation.js';
import {
  ServiceSchema,
  externallyAccessible,
  isHeadless,
  needsHealthCheck,
  needsNodePorts,
  type Service,
  type ServicePort,
  type ServiceSpec,
} from './schema.js';
import type { ResourceType } from '../../resource.js';
import type { KubeObject } from '../../../apimachinery/object.js';
import {
  validateAppProtocol,
  validateLoadBalancerIngress,
  validatePortNumOrName,
  validateProtocol,
} from '../common.js';
import { serviceTable } from './table.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_DISTRIBUTIONS = ['PreferClose', 'PreferSameNode', 'PreferSameZone'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
const ONLY_LOAD_BALANCER = "may only be used when `type` is 'LoadBalancer'";

/** Service names are RFC 1035 labels; the registry has already checked the RFC 1123 label rule, so only the extra "starts with a letter" rule is reported here. */
function validateServiceName(name: string | undefined): StatusCause[] {
  if (!name || isDNS1123Label(name).length > 0) return [];
  return invalidEach('metadata.name', name, isDNS1035Label(name));
}

function validatePort(port: ServicePort, path: string, requireName: boolean, names: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  if (requireName && !port.name) causes.push(fieldError.required(`${path}.name`));
  else if (port.name) {
    causes.push(...validateDNS1123Label(port.name, `${path}.name`));
    if (names.has(port.name)) causes.push(fieldError.duplicate(`${path}.name`, port.name));
    names.add(port.name);
  }
  causes.push(...validatePortNumber(port.port, `${path}.port`), ...validateProtocol(port.protocol, `${path}.protocol`));
  if (port.targetPort !== undefined) causes.push(...validatePortNumOrName(port.targetPort, `${path}.targetPort`));
  return [...causes, ...validateAppProtocol(port.appProtocol, `${path}.appProtocol`)];
}

function validatePorts(spec: ServiceSpec): StatusCause[] {
  const ports = spec.ports ?? [];
  const causes: StatusCause[] = [];
  if (ports.length === 0 && !isHeadless(spec) && spec.type !== 'ExternalName')
    causes.push(fieldError.required('spec.ports'));
  const names = new Set<string>();
  const portKeys = new Set<string>();
  const nodePortKeys = new Set<string>();
  ports.forEach((port, i) => {
    const path = `spec.ports[${i}]`;
    causes.push(...validatePort(port, path, ports.length > 1, names));
    if (port.nodePort && spec.type === 'ClusterIP')
      causes.push(fieldError.forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    const nodePortKey = `${port.protocol}/${port.nodePort}`;
    if (port.nodePort && nodePortKeys.has(nodePortKey))
      causes.push(fieldError.duplicate(`${path}.nodePort`, port.nodePort));
    if (port.nodePort) nodePortKeys.add(nodePortKey);
    const portKey = `${port.protocol}/${port.port}`;
    if (portKeys.has(portKey)) causes.push(fieldError.duplicate(path, { port: port.port, protocol: port.protocol }));
    portKeys.add(portKey);
  });
  return causes;
}

/** Rules that depend on `type`: headless only for ClusterIP, ExternalName needs a name and no IPs. */
function validateTypeSpecific(spec: ServiceSpec): StatusCause[] {
  if (needsNodePorts(spec) && isHeadless(spec)) {
    return [fieldError.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`)];
  }
  if (spec.type !== 'ExternalName') return [];
  const causes: StatusCause[] = [];
  if (spec.clusterIPs?.length)
    causes.push(fieldError.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  if (spec.ipFamilies?.length)
    causes.push(fieldError.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
  if (spec.ipFamilyPolicy !== undefined)
    causes.push(fieldError.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
  // A CNAME may end in a dot to mark it fully qualified.
  const cname = (spec.externalName ?? '').replace(/\.$/, '');
  if (!cname) causes.push(fieldError.required('spec.externalName'));
  else causes.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
  return causes;
}

function validateSessionAffinity(spec: ServiceSpec): StatusCause[] {
  const causes = validateEnum(spec.sessionAffinity, 'spec.sessionAffinity', SESSION_AFFINITIES);
  const path = 'spec.sessionAffinityConfig';
  if (spec.sessionAffinity === 'None' && spec.sessionAffinityConfig)
    causes.push(fieldError.forbidden(path, 'must not be set when session affinity is None'));
  if (spec.sessionAffinity !== 'ClientIP') return causes;
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout === undefined)
    causes.push(fieldError.required(`${path}.clientIP.timeoutSeconds`, 'when session affinity type is ClientIP'));
  else if (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS) {
    causes.push(
      fieldError.invalid(
        `${path}.clientIP.timeoutSeconds`,
        timeout,
        `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`,
      ),
    );
  }
  return causes;
}

/** clusterIP and clusterIPs agree; each is "None" (alone) or an IP; families and policy are known values. */
function validateClusterIPs(spec: ServiceSpec): StatusCause[] {
  if (spec.type === 'ExternalName') return [];
  const ips = spec.clusterIPs ?? [];
  const field = 'spec.clusterIPs';
  const causes: StatusCause[] = [];
  if (spec.clusterIP && ips.length === 0) causes.push(fieldError.required(field));
  else if (spec.clusterIP && ips[0] !== spec.clusterIP)
    causes.push(fieldError.invalid(field, ips, 'first value must match `clusterIP`'));
  else if (!spec.clusterIP && ips.length > 0)
    causes.push(fieldError.invalid(field, ips, 'must be empty when `clusterIP` is not specified'));
  if (ips.length > 2) causes.push(fieldError.invalid(field, ips, 'may only hold up to 2 values'));
  ips.forEach((ip, i) => {
    if (ip === 'None' && i === 0) {
      if (ips.length > 1) causes.push(fieldError.invalid(field, ips, "'None' must be the first and only value"));
    } else {
      causes.push(...validateIP(ip, `${field}[${i}]`));
    }
  });
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((family, i) => {
    if (!IP_FAMILIES.includes(family))
      causes.push(fieldError.unsupported(`spec.ipFamilies[${i}]`, family, IP_FAMILIES));
    if (seen.has(family)) causes.push(fieldError.duplicate(`spec.ipFamilies[${i}]`, family));
    seen.add(family);
  });
  if (spec.ipFamilyPolicy !== undefined)
    causes.push(...validateEnum(spec.ipFamilyPolicy, 'spec.ipFamilyPolicy', IP_FAMILY_POLICIES));
  return causes;
}

function validateExternalIPs(spec: ServiceSpec): StatusCause[] {
  return (spec.externalIPs ?? []).flatMap((ip, i) => {
    const path = `spec.externalIPs[${i}]`;
    const invalid = validateIP(ip, path);
    return invalid.length ? invalid : validateEndpointIP(ip, path);
  });
}

/** Fields that only make sense for LoadBalancer Services. */
function validateLoadBalancerFields(spec: ServiceSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  const isLB = spec.type === 'LoadBalancer';
  const ranges = spec.loadBalancerSourceRanges ?? [];
  if (ranges.length && !isLB) causes.push(fieldError.forbidden('spec.loadBalancerSourceRanges', ONLY_LOAD_BALANCER));
  ranges.forEach((r, i) => {
    // Historical: values may be space-padded.
    if (!isValidCIDR(r.trim()))
      causes.push(fieldError.invalid(`spec.loadBalancerSourceRanges[${i}]`, r, INVALID_CIDR_MESSAGE));
  });
  if (spec.allocateLoadBalancerNodePorts !== undefined && !isLB)
    causes.push(fieldError.forbidden('spec.allocateLoadBalancerNodePorts', ONLY_LOAD_BALANCER));
  if (isLB && spec.allocateLoadBalancerNodePorts === undefined)
    causes.push(fieldError.required('spec.allocateLoadBalancerNodePorts'));
  if (spec.loadBalancerClass !== undefined) {
    if (!isLB) causes.push(fieldError.forbidden('spec.loadBalancerClass', ONLY_LOAD_BALANCER));
    causes.push(...validateQualifiedName(spec.loadBalancerClass, 'spec.loadBalancerClass'));
  }
  return causes;
}

function validateTrafficPolicies(spec: ServiceSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  const etp = 'spec.externalTrafficPolicy';
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy)
      causes.push(
        fieldError.invalid(etp, spec.externalTrafficPolicy, 'may only be set for externally-accessible services'),
      );
  } else {
    causes.push(...validateEnum(spec.externalTrafficPolicy, etp, TRAFFIC_POLICIES));
  }
  const hcnp = spec.healthCheckNodePort;
  if (hcnp && !needsHealthCheck(spec)) {
    causes.push(
      fieldError.invalid(
        'spec.healthCheckNodePort',
        hcnp,
        "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
      ),
    );
  } else if (hcnp) {
    causes.push(...validatePortNumber(hcnp, 'spec.healthCheckNodePort'));
  }
  const usesInternalPolicy = ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type);
  if (spec.internalTrafficPolicy !== undefined || usesInternalPolicy) {
    causes.push(...validateEnum(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy', TRAFFIC_POLICIES));
  }
  if (spec.trafficDistribution !== undefined && !TRAFFIC_DISTRIBUTIONS.includes(spec.trafficDistribution)) {
    causes.push(fieldError.unsupported('spec.trafficDistribution', spec.trafficDistribution, TRAFFIC_DISTRIBUTIONS));
  }
  return causes;
}

function validateService(svc: Service): StatusCause[] {
  const spec = svc.spec;
  return [
    ...validateServiceName(svc.metadata.name),
    ...validatePorts(spec),
    ...validateTypeSpecific(spec),
    ...validateLabels(spec.selector, 'spec.selector'),
    ...validateSessionAffinity(spec),
    ...validateClusterIPs(spec),
    ...validateExternalIPs(spec),
    ...validateEnum(spec.type, 'spec.type', SERVICE_TYPES),
    ...validateLoadBalancerFields(spec),
    ...validateTrafficPolicies(spec),
    ...validateLoadBalancerIngress(svc.status?.loadBalancer?.ingress, 'status.loadBalancer.ingress'),
  ];
}

function validateServiceUpdate(svc: Service, old: Service): StatusCause[] {
  const causes: StatusCause[] = [];
  // clusterIP is fixed once set, except when switching to or from ExternalName (which has none).
  if (svc.spec.type !== 'ExternalName' && old.spec.type !== 'ExternalName' && old.spec.clusterIP) {
    causes.push(...validateImmutable(svc.spec.clusterIP, old.spec.clusterIP, 'spec.clusterIP'));
  }
  if (
    svc.spec.type === 'LoadBalancer' &&
    old.spec.type === 'LoadBalancer' &&
    svc.spec.loadBalancerClass !== old.spec.loadBalancerClass
  ) {
    causes.push(
      fieldError.invalid('spec.loadBalancerClass', svc.spec.loadBalancerClass ?? null, 'may not change once set'),
    );
  }
  return causes;
}

/**
 * Upstream `normalizeClusterIPs`: old clients manage only `clusterIP`, so keep `clusterIPs` in step
 * with it when that is clearly what they meant. `old` is absent on create.
 */
export function normalizeClusterIPs(spec: ServiceSpec, old?: ServiceSpec): void {
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if (old.clusterIPs?.length && !spec.clusterIPs?.length && old.clusterIP === spec.clusterIP)
    spec.clusterIPs = old.clusterIPs;
  if (old.clusterIP === spec.clusterIP) return;
  if (old.clusterIP && !spec.clusterIP) delete spec.clusterIPs;
  else if (!old.clusterIP && spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
}

/**
 * Upstream `dropTypeDependentFields`: when the type changes, fields the old type used and the
 * user left untouched are cleared (they are released later), as is the load-balancer status.
 */
function dropTypeDependentFields(svc: Service, old: Service): void {
  const [spec, prev] = [svc.spec, old.spec];
  if (prev.type !== 'ExternalName' && spec.type === 'ExternalName') {
    if (spec.clusterIP === prev.clusterIP && semanticEqual(spec.clusterIPs, prev.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (semanticEqual(spec.ipFamilies, prev.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === prev.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  const samePorts =
    (spec.ports ?? []).length === (prev.ports ?? []).length &&
    (spec.ports ?? []).every((p, i) => p.nodePort === prev.ports?.[i]?.nodePort);
  if (needsNodePorts(prev) && !needsNodePorts(spec) && samePorts) for (const p of spec.ports ?? []) delete p.nodePort;
  if (needsHealthCheck(prev) && !needsHealthCheck(spec) && spec.healthCheckNodePort === prev.healthCheckNodePort)
    delete spec.healthCheckNodePort;
  if (prev.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts)
      delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === prev.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (
    externallyAccessible(prev) &&
    !externallyAccessible(spec) &&
    spec.externalTrafficPolicy === prev.externalTrafficPolicy
  )
    delete spec.externalTrafficPolicy;
  if (spec.type !== 'LoadBalancer') svc.status = { ...svc.status, loadBalancer: {} };
}

/** Services by each `namespace/key=value` pair of their selector: finds the Services that may select a Pod without scanning them all. */
export const serviceSelectorIndex = 'spec.selector';

function selectorPairs(svc: KubeObject): string[] {
  const selector = (svc as Service).spec?.selector ?? {};
  return Object.entries(selector).map(([k, v]) => `${svc.metadata.namespace}/${k}=${v}`);
}

export const services: ResourceType<Service, 'Service'> = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  hasStatus: true,
  nameRule: 'label',
  allowUnconditionalUpdate: true,
  schema: ServiceSchema,
  openapi: serviceOpenApi,
  protobuf: ServiceMessage,
  strategicMerge: kindPatchMeta({ spec: { ports: mergeBy('port') }, status: { conditions: byType } }),
  table: serviceTable,
  fieldSelectors: { 'spec.type': (svc) => svc.spec.type, 'spec.clusterIP': (svc) => svc.spec.clusterIP ?? '' },
  informerIndexes: { [serviceSelectorIndex]: selectorPairs },
  strategy: {
    prepareForCreate(svc) {
      svc.status = { loadBalancer: {} };
      normalizeClusterIPs(svc.spec);
    },
    prepareForUpdate(svc, old) {
      normalizeClusterIPs(svc.spec, old.spec);
      dropTypeDependentFields(svc, old);
    },
    validate: validateService,
    validateUpdate: validateServiceUpdate,
  },
};
