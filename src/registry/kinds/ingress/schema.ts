/** networking.k8s.io/v1 Ingress: shape only (v1 has no defaults; a missing pathType is a 422 from validation). */
import { z } from 'zod';
import {
  PortStatusSchema,
  TypedLocalObjectReferenceSchema,
  kindSchema,
  metadata,
  modeled,
  optInt,
  optString,
  optStrings,
  reqString,
  typeMeta,
} from '../../../../schemas/meta.js';

export const ServiceBackendPortSchema = modeled({ name: optString, number: optInt });

export const IngressServiceBackendSchema = modeled({
  name: reqString,
  port: ServiceBackendPortSchema.prefault({}),
});

export const IngressBackendSchema = modeled({
  service: IngressServiceBackendSchema.optional(),
  resource: TypedLocalObjectReferenceSchema.optional(),
});
export type IngressBackend = z.infer<typeof IngressBackendSchema>;

export const HTTPIngressPathSchema = modeled({
  path: optString,
  pathType: optString,
  backend: IngressBackendSchema.prefault({}),
});
export type HTTPIngressPath = z.infer<typeof HTTPIngressPathSchema>;

export const IngressRuleSchema = modeled({
  host: optString,
  http: modeled({ paths: z.array(HTTPIngressPathSchema).default(() => []) }).optional(),
});
export type IngressRule = z.infer<typeof IngressRuleSchema>;

export const IngressTLSSchema = modeled({ hosts: optStrings, secretName: optString });

export const IngressSpecSchema = modeled({
  ingressClassName: optString,
  defaultBackend: IngressBackendSchema.optional(),
  tls: z.array(IngressTLSSchema).optional(),
  rules: z.array(IngressRuleSchema).optional(),
});
export type IngressSpec = z.infer<typeof IngressSpecSchema>;

export const IngressLoadBalancerIngressSchema = modeled({
  ip: optString,
  hostname: optString,
  ports: z.array(PortStatusSchema).optional(),
});

export const IngressStatusSchema = modeled({
  loadBalancer: modeled({ ingress: z.array(IngressLoadBalancerIngressSchema).optional() }).optional(),
});
export type IngressStatus = z.infer<typeof IngressStatusSchema>;

export const IngressSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: IngressSpecSchema.prefault({}),
    status: IngressStatusSchema.optional(),
  }),
);
export type Ingress = z.infer<typeof IngressSchema>;
