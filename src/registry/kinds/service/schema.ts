/** core/v1 Service: shape and decode-time defaults (pkg/apis/core/v1/defaults.go, SetDefaults_Service). */
import { z } from 'zod';
import {
  ConditionSchema,
  IntOrString,
  PortStatusSchema,
  StringMap,
  kindSchema,
  metadata,
  modeled,
  optBool,
  optInt,
  optString,
  optStrings,
  reqInt,
  stringDefault,
  typeMeta,
} from '../../../../schemas/meta.js';

/** Seconds a ClientIP affinity lasts when the Service does not say (3 hours). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;

export const ServicePortSchema = modeled({
  name: optString,
  protocol: stringDefault('TCP'),
  appProtocol: optString,
  port: reqInt,
  targetPort: IntOrString.optional(),
  nodePort: optInt,
}).overwrite((p) => {
  // An absent, 0 or "" targetPort means "the same as port".
  if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  return p;
});
export type ServicePort = z.infer<typeof ServicePortSchema>;

const SessionAffinityConfigSchema = modeled({
  clientIP: modeled({ timeoutSeconds: optInt }).optional(),
});

export const ServiceSpecSchema = modeled({
  ports: z.array(ServicePortSchema).optional(),
  selector: StringMap.optional(),
  clusterIP: optString,
  clusterIPs: optStrings,
  type: stringDefault('ClusterIP'),
  externalIPs: optStrings,
  sessionAffinity: stringDefault('None'),
  loadBalancerIP: optString,
  loadBalancerSourceRanges: optStrings,
  externalName: optString,
  externalTrafficPolicy: optString,
  healthCheckNodePort: optInt,
  publishNotReadyAddresses: optBool,
  sessionAffinityConfig: SessionAffinityConfigSchema.optional(),
  ipFamilies: optStrings,
  ipFamilyPolicy: optString,
  allocateLoadBalancerNodePorts: optBool,
  loadBalancerClass: optString,
  internalTrafficPolicy: optString,
  trafficDistribution: optString,
});
export type ServiceSpec = z.infer<typeof ServiceSpecSchema>;

export const LoadBalancerIngressSchema = modeled({
  ip: optString,
  hostname: optString,
  ipMode: optString,
  ports: z.array(PortStatusSchema).optional(),
});

export const LoadBalancerStatusSchema = modeled({ ingress: z.array(LoadBalancerIngressSchema).optional() });
export type LoadBalancerStatus = z.infer<typeof LoadBalancerStatusSchema>;

export const ServiceStatusSchema = modeled({
  loadBalancer: LoadBalancerStatusSchema.optional(),
  conditions: z.array(ConditionSchema).optional(),
});

/** A headless Service has no ClusterIP: DNS answers with its pods' addresses instead. */
export function isHeadless(spec: Pick<ServiceSpec, 'clusterIP' | 'clusterIPs'>): boolean {
  return spec.clusterIP === 'None' || spec.clusterIPs?.[0] === 'None';
}

/** NodePort and LoadBalancer Services expose their ports on every node. */
export function needsNodePorts(spec: Pick<ServiceSpec, 'type'>): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** Upstream `NeedsHealthCheck`: a LoadBalancer that keeps client source IPs needs a health-check port. */
export function needsHealthCheck(spec: Pick<ServiceSpec, 'type' | 'externalTrafficPolicy'>): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** Whether traffic from outside the cluster reaches the Service (upstream `ExternallyAccessible`). */
export function externallyAccessible(spec: Pick<ServiceSpec, 'type' | 'externalIPs'>): boolean {
  return (
    spec.type === 'LoadBalancer' ||
    spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && (spec.externalIPs?.length ?? 0) > 0)
  );
}

type ServiceShape = { spec: ServiceSpec; status?: z.infer<typeof ServiceStatusSchema> };

/** The Service-level part of SetDefaults_Service: fields whose default depends on other fields. */
function defaultService<S extends ServiceShape>(svc: S): S {
  const spec = svc.spec;
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_AFFINITY_SECONDS } };
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type))
    spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
  return svc;
}

export const ServiceSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: ServiceSpecSchema.prefault({}),
    status: ServiceStatusSchema.optional(),
  }).overwrite(defaultService),
);
export type Service = z.infer<typeof ServiceSchema>;
