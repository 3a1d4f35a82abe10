/**
 * Upstream OpenAPI names (`io.k8s.api.core.v1.PodSpec`) for the shared zod schemas. A schema in
 * this map becomes one entry of `components.schemas` referenced by `$ref`, so `kubectl explain`
 * shows the upstream type names (`<[]Container>`); any other object is described inline.
 */
import type { z } from 'zod';
import { EndpointAddressSchema, EndpointPortSchema, EndpointSubsetSchema } from '../registry/kinds/endpoints/schema.js';
import { EndpointSchema, EndpointSlicePortSchema } from '../registry/kinds/endpointslice/schema.js';
import { EventSeriesSchema, EventSourceSchema } from '../registry/kinds/event/schema.js';
import {
  HTTPIngressPathSchema,
  IngressBackendSchema,
  IngressLoadBalancerIngressSchema,
  IngressRuleSchema,
  IngressServiceBackendSchema,
  IngressSpecSchema,
  IngressStatusSchema,
  IngressTLSSchema,
  ServiceBackendPortSchema,
} from '../registry/kinds/ingress/schema.js';
import {
  IngressClassParametersReferenceSchema,
  IngressClassSpecSchema,
} from '../registry/kinds/ingressclass/schema.js';
import { LeaseSpecSchema } from '../registry/kinds/lease/schema.js';
import {
  ConditionSchema,
  IntOrString,
  LabelSelectorRequirementSchema,
  LabelSelectorSchema,
  ManagedFieldsEntrySchema,
  MicroTime,
  ObjectMetaSchema,
  ObjectReferenceSchema,
  OwnerReferenceSchema,
  PortStatusSchema,
  Quantity,
  Time,
  TypedLocalObjectReferenceSchema,
} from '../../schemas/meta.js';
import { NamespaceConditionSchema, NamespaceStatusSchema } from '../registry/kinds/namespace/schema.js';
import {
  NodeAddressSchema,
  NodeConditionSchema,
  NodeSpecSchema,
  NodeStatusSchema,
  TaintSchema,
} from '../registry/kinds/node/schema.js';
import {
  ContainerPortSchema,
  ContainerSchema,
  ContainerStatusSchema,
  EphemeralContainerSchema,
  PodConditionSchema,
  PodSpecSchema,
  PodStatusSchema,
  ProbeSchema,
  ResourceRequirementsSchema,
  TolerationSchema,
  VolumeMountSchema,
  VolumeSchema,
} from '../registry/kinds/pod/schema.js';
import {
  LoadBalancerIngressSchema,
  LoadBalancerStatusSchema,
  ServicePortSchema,
  ServiceSpecSchema,
  ServiceStatusSchema,
} from '../registry/kinds/service/schema.js';
import type { ResourceType } from '../registry/resource.js';

const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const core = 'io.k8s.api.core.v1';
const networking = 'io.k8s.api.networking.v1';
const discovery = 'io.k8s.api.discovery.v1';

/** The component name of `metav1.ListMeta`, the metadata of every list kind. */
export const listMetaName = `${meta}.ListMeta`;

const named: [z.ZodType, string][] = [
  [Time, `${meta}.Time`],
  [MicroTime, `${meta}.MicroTime`],
  [IntOrString, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'],
  [Quantity, 'io.k8s.apimachinery.pkg.api.resource.Quantity'],
  [ObjectMetaSchema, `${meta}.ObjectMeta`],
  [OwnerReferenceSchema, `${meta}.OwnerReference`],
  [ManagedFieldsEntrySchema, `${meta}.ManagedFieldsEntry`],
  [LabelSelectorSchema, `${meta}.LabelSelector`],
  [LabelSelectorRequirementSchema, `${meta}.LabelSelectorRequirement`],
  [ConditionSchema, `${meta}.Condition`],
  [ObjectReferenceSchema, `${core}.ObjectReference`],
  [TypedLocalObjectReferenceSchema, `${core}.TypedLocalObjectReference`],
  [PortStatusSchema, `${core}.PortStatus`],
  [PodSpecSchema, `${core}.PodSpec`],
  [PodStatusSchema, `${core}.PodStatus`],
  [PodConditionSchema, `${core}.PodCondition`],
  [ContainerSchema, `${core}.Container`],
  [EphemeralContainerSchema, `${core}.EphemeralContainer`],
  [ContainerPortSchema, `${core}.ContainerPort`],
  [ContainerStatusSchema, `${core}.ContainerStatus`],
  [ProbeSchema, `${core}.Probe`],
  [ResourceRequirementsSchema, `${core}.ResourceRequirements`],
  [VolumeMountSchema, `${core}.VolumeMount`],
  [VolumeSchema, `${core}.Volume`],
  [TolerationSchema, `${core}.Toleration`],
  [ServiceSpecSchema, `${core}.ServiceSpec`],
  [ServicePortSchema, `${core}.ServicePort`],
  [ServiceStatusSchema, `${core}.ServiceStatus`],
  [LoadBalancerStatusSchema, `${core}.LoadBalancerStatus`],
  [LoadBalancerIngressSchema, `${core}.LoadBalancerIngress`],
  [EndpointSubsetSchema, `${core}.EndpointSubset`],
  [EndpointAddressSchema, `${core}.EndpointAddress`],
  [EndpointPortSchema, `${core}.EndpointPort`],
  [EventSourceSchema, `${core}.EventSource`],
  [EventSeriesSchema, `${core}.EventSeries`],
  [NamespaceStatusSchema, `${core}.NamespaceStatus`],
  [NamespaceConditionSchema, `${core}.NamespaceCondition`],
  [NodeSpecSchema, `${core}.NodeSpec`],
  [NodeStatusSchema, `${core}.NodeStatus`],
  [NodeConditionSchema, `${core}.NodeCondition`],
  [NodeAddressSchema, `${core}.NodeAddress`],
  [TaintSchema, `${core}.Taint`],
  [EndpointSchema, `${discovery}.Endpoint`],
  [EndpointSlicePortSchema, `${discovery}.EndpointPort`],
  [IngressSpecSchema, `${networking}.IngressSpec`],
  [IngressStatusSchema, `${networking}.IngressStatus`],
  [IngressRuleSchema, `${networking}.IngressRule`],
  [IngressBackendSchema, `${networking}.IngressBackend`],
  [IngressServiceBackendSchema, `${networking}.IngressServiceBackend`],
  [ServiceBackendPortSchema, `${networking}.ServiceBackendPort`],
  [HTTPIngressPathSchema, `${networking}.HTTPIngressPath`],
  [IngressTLSSchema, `${networking}.IngressTLS`],
  [IngressLoadBalancerIngressSchema, `${networking}.IngressLoadBalancerIngress`],
  [IngressClassSpecSchema, `${networking}.IngressClassSpec`],
  [IngressClassParametersReferenceSchema, `${networking}.IngressClassParametersReference`],
  [LeaseSpecSchema, 'io.k8s.api.coordination.v1.LeaseSpec'],
];

const names = new Map<z.ZodType, string>(named);

/**
 * Types with custom JSON encodings upstream (timestamps, int-or-string, quantities), described as
 * upstream's documents describe them rather than from their zod shape (a union, a transformed string).
 */
export const scalarComponents: Readonly<Record<string, Record<string, unknown>>> = {
  [`${meta}.Time`]: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form, at second precision.',
  },
  [`${meta}.MicroTime`]: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form, at microsecond precision.',
  },
  // Unions carry no `type`, which is also what makes `kubectl explain` print their names.
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    description: 'An integer or a string (a port number or name).',
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    oneOf: [{ type: 'string' }, { type: 'number' }],
    description: 'A fixed-point number with an optional SI or binary suffix (500m, 1Gi, 2).',
  },
};

/** The component name of a shared schema, or undefined when it is described inline. */
export function componentName(schema: z.ZodType): string | undefined {
  return names.get(schema);
}

/**
 * The component name of a kind, as upstream derives it from the Go package:
 * `io.k8s.api.<first label of the group, or core>.<version>.<Kind>` (`io.k8s.api.networking.v1.Ingress`).
 */
export function kindComponentName(rt: Pick<ResourceType, 'group' | 'version'>, kind: string): string {
  const pkg = rt.group === '' ? 'core' : rt.group.split('.')[0];
  return `io.k8s.api.${pkg}.${rt.version}.${kind}`;
}

/** Reference to a component of the same document. */
export function ref(name: string): { $ref: string } {
  return { $ref: `#/components/schemas/${name}` };
}
