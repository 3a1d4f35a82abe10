/**
 * network.kplane.io/v1alpha1 PacketTrace (docs/network-model.md#packettrace): a create-only question "what happens
 * to this packet?"; the answer comes back in `status` and nothing is stored.
 */
import { z } from 'zod';
import { kindSchema, metadata, modeled, optInt, optString, typeMeta } from '../../../../schemas/meta.js';

const IntOrString = z.union([z.number().int(), z.string()]);

/** Where the packet starts: one of a pod (`ns/name`), a node (a process in its root netns) or an internet address. */
export const TraceSourceSchema = modeled({ pod: optString, node: optString, ip: optString });
export type TraceSource = z.infer<typeof TraceSourceSchema>;

/** Where the packet goes: an address, a Service (port by number or name), a DNS name, or a URL through an Ingress. */
export const TraceDestinationSchema = modeled({
  ip: optString,
  service: optString,
  host: optString,
  url: optString,
  port: IntOrString.optional(),
});
export type TraceDestination = z.infer<typeof TraceDestinationSchema>;

export const PacketTraceSpecSchema = modeled({
  from: TraceSourceSchema.prefault({}),
  to: TraceDestinationSchema.prefault({}),
  protocol: optString,
  sourcePort: optInt,
});
export type PacketTraceSpec = z.infer<typeof PacketTraceSpecSchema>;

/** A packet's header as it is at one hop. */
export const PacketSchema = modeled({
  protocol: z.string(),
  src: z.string(),
  srcPort: z.number().int(),
  dst: z.string(),
  dstPort: z.number().int(),
});

const EndpointRefSchema = modeled({ pod: optString, node: optString, ip: z.string(), port: optInt });
const AddressSchema = modeled({ ip: z.string(), port: z.number().int() });

export const HopSchema = modeled({
  action: z.string(),
  node: optString,
  netns: optString,
  device: optString,
  packet: PacketSchema,
  rule: optString,
  /** The rules that led to `rule` (jumps, marks), in evaluation order. */
  via: z.array(z.string()).optional(),
  description: optString,
});

export const DnsQuerySchema = modeled({
  name: z.string(),
  type: z.string(),
  rcode: z.string(),
  answers: z.array(z.string()).optional(),
});

export const PacketTraceStatusSchema = modeled({
  outcome: optString,
  dropReason: optString,
  message: optString,
  deliveredTo: EndpointRefSchema.optional(),
  observedSource: AddressSchema.optional(),
  hops: z.array(HopSchema).optional(),
  reply: modeled({
    outcome: optString,
    dropReason: optString,
    hops: z.array(HopSchema).optional(),
    observedSource: AddressSchema.optional(),
  }).optional(),
  backends: z.array(EndpointRefSchema.extend({ probability: z.number() })).optional(),
  /** The lookups a `to.host` destination took through the pod's resolver (search path, ndots). */
  dns: modeled({ server: optString, queries: z.array(DnsQuerySchema).optional() }).optional(),
});
export type PacketTraceStatus = z.infer<typeof PacketTraceStatusSchema>;

export const PacketTraceSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata: metadata.prefault({}),
    spec: PacketTraceSpecSchema.prefault({}),
    status: PacketTraceStatusSchema.optional(),
  }),
);
export type PacketTrace = z.infer<typeof PacketTraceSchema>;
