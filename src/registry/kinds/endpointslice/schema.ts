/** discovery.k8s.io/v1 EndpointSlice: shape and decode-time defaults (port name "" and protocol TCP). */
import { z } from 'zod';
import {
  ObjectReferenceSchema,
  StringMap,
  kindSchema,
  listDefault,
  metadata,
  modeled,
  optBool,
  optInt,
  optString,
  reqString,
  typeMeta,
} from '../../../../schemas/meta.js';

const HintSchema = modeled({ name: reqString });

export const EndpointSchema = modeled({
  addresses: listDefault(z.string()),
  conditions: modeled({ ready: optBool, serving: optBool, terminating: optBool }).optional(),
  hostname: optString,
  targetRef: ObjectReferenceSchema.optional(),
  deprecatedTopology: StringMap.optional(),
  nodeName: optString,
  zone: optString,
  hints: modeled({ forZones: z.array(HintSchema).optional(), forNodes: z.array(HintSchema).optional() }).optional(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

export const EndpointSlicePortSchema = modeled({
  name: z.string().default(''),
  protocol: z.string().default('TCP'),
  port: optInt,
  appProtocol: optString,
});
export type EndpointSlicePort = z.infer<typeof EndpointSlicePortSchema>;

export const EndpointSliceSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    addressType: reqString,
    endpoints: listDefault(EndpointSchema),
    ports: z.array(EndpointSlicePortSchema).optional(),
  }),
);
export type EndpointSlice = z.infer<typeof EndpointSliceSchema>;
