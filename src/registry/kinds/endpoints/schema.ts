/** core/v1 Endpoints: shape and decode-time defaults (SetDefaults_Endpoints: port protocol TCP). */
import { z } from 'zod';
import {
  ObjectReferenceSchema,
  kindSchema,
  metadata,
  modeled,
  optString,
  reqInt,
  reqString,
  stringDefault,
  typeMeta,
} from '../../../../schemas/meta.js';

export const EndpointAddressSchema = modeled({
  ip: reqString,
  hostname: optString,
  nodeName: optString,
  targetRef: ObjectReferenceSchema.optional(),
});
export type EndpointAddress = z.infer<typeof EndpointAddressSchema>;

export const EndpointPortSchema = modeled({
  name: optString,
  port: reqInt,
  protocol: stringDefault('TCP'),
  appProtocol: optString,
});
export type EndpointPort = z.infer<typeof EndpointPortSchema>;

export const EndpointSubsetSchema = modeled({
  addresses: z.array(EndpointAddressSchema).optional(),
  notReadyAddresses: z.array(EndpointAddressSchema).optional(),
  ports: z.array(EndpointPortSchema).optional(),
});
export type EndpointSubset = z.infer<typeof EndpointSubsetSchema>;

export const EndpointsSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    subsets: z.array(EndpointSubsetSchema).optional(),
  }),
);
export type Endpoints = z.infer<typeof EndpointsSchema>;
