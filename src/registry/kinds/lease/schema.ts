/** coordination.k8s.io/v1 Lease: shape only (no defaults). */
import { type z } from 'zod';
import { MicroTime, kindSchema, metadata, modeled, optInt, optString, typeMeta } from '../../../../schemas/meta.js';

export const LeaseSpecSchema = modeled({
  holderIdentity: optString,
  leaseDurationSeconds: optInt,
  acquireTime: MicroTime.optional(),
  renewTime: MicroTime.optional(),
  leaseTransitions: optInt,
  strategy: optString,
  preferredHolder: optString,
});
export type LeaseSpec = z.infer<typeof LeaseSpecSchema>;

export const LeaseSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: LeaseSpecSchema.optional(),
  }),
);
export type Lease = z.infer<typeof LeaseSchema>;
