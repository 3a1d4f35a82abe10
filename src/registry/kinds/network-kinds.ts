/**
 * network.kplane.io/v1alpha1: the dataplane's read-only view (NodeDataplane) and the trace question
 * (PacketTrace). Neither is stored: `src/http/routes/dataplane.ts` answers them from the dataplane
 * the controllers keep, so they are `custom` kinds here, listed for discovery and OpenAPI only.
 */
import { NodeDataplaneSchema, type NodeDataplane } from './nodedataplane/schema.js';
import { PacketTraceSchema, type PacketTrace } from './packettrace/schema.js';
import type { ResourceType } from '../resource.js';
import { column, NAME_DESCRIPTION, type TableConvertor } from './tables.js';

const noValidation = { validate: () => [] };

const nodeDataplaneTable: TableConvertor<NodeDataplane> = {
  columns: [
    column('Name', NAME_DESCRIPTION, { format: 'name' }),
    column('Internal-IP', "The node's eth0 address"),
    column('External-IP', "The node's 1:1 NAT address"),
    column('Pod-CIDR', "The node's pod range, on cbr0"),
    column('Veths', 'Pods attached to cbr0', { type: 'integer' }),
    column('NAT-Rules', 'Rules in the nat table', { type: 'integer' }),
    column('Filter-Rules', 'Rules in the filter table', { type: 'integer' }),
    column('Conntrack', 'Tracked connections', { type: 'integer' }),
  ],
  cells: (nd) => [
    nd.metadata.name ?? '',
    nd.status?.internalIP ?? '<none>',
    nd.status?.externalIP ?? '<none>',
    nd.status?.podCIDR ?? '<none>',
    (nd.status?.interfaces ?? []).filter((i) => i.name.startsWith('veth')).length,
    nd.status?.rules?.nat ?? 0,
    nd.status?.rules?.filter ?? 0,
    nd.status?.conntrack?.length ?? 0,
  ],
};

export const nodeDataplanes: ResourceType<NodeDataplane> = {
  group: 'network.kplane.io',
  version: 'v1alpha1',
  kind: 'NodeDataplane',
  plural: 'nodedataplanes',
  singular: 'nodedataplane',
  namespaced: false,
  shortNames: ['ndp'],
  hasStatus: false,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: false,
  schema: NodeDataplaneSchema,
  strategy: noValidation,
  table: nodeDataplaneTable,
  custom: { verbs: ['get', 'list'], subresources: [{ name: 'iptables', verbs: ['get'] }] },
};

export const packetTraces: ResourceType<PacketTrace> = {
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
  strategy: noValidation,
  // `patch` is server-side apply only, and runs the trace like a create (see routes/dataplane.ts).
  custom: { verbs: ['create', 'patch'] },
};
