/**
 * network.kplane.io/v1alpha1 PacketTrace: the question "what happens to this packet?". Not stored:
 * `src/http/routes/dataplane.ts` runs the trace per request, so it is a `custom` kind, listed for
 * discovery and OpenAPI only.
 */
import { packetTraceOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import type { ResourceType } from '../../resource.js';
import { PacketTraceSchema, type PacketTrace } from './schema.js';

export const packetTraces: ResourceType<PacketTrace, 'PacketTrace'> = {
  group: 'network.kplane.io',
  version: 'v1alpha1',
  kind: 'PacketTrace',
  plural: 'packettraces',
  singular: 'packettrace',
  namespaced: false,
  shortNames: ['trace'],
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: false,
  schema: PacketTraceSchema,
  openapi: packetTraceOpenApi,
  strategicMerge: kindPatchMeta(),
  strategy: { validate: () => [] },
  // `patch` is server-side apply only, and runs the trace like a create (see routes/dataplane.ts).
  custom: { verbs: ['create', 'patch'] },
};
