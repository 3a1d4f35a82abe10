/**
 * network.kplane.io/v1alpha1 NodeDataplane: the dataplane's read-only view of one node (interfaces,
 * routes, rule counts, conntrack). Not stored: `src/http/routes/dataplane.ts` answers it from the
 * dataplane the controllers keep, so it is a `custom` kind, listed for discovery and OpenAPI only.
 */
import { nodeDataplaneOpenApi } from './openapi.js';
import { kindPatchMeta } from '../../../apimachinery/patch.js';
import type { ResourceType } from '../../resource.js';
import { column, NAME_DESCRIPTION, type TableConvertor } from '../../table.js';
import { NodeDataplaneSchema, type NodeDataplane } from './schema.js';

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

export const nodeDataplanes: ResourceType<NodeDataplane, 'NodeDataplane'> = {
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
  openapi: nodeDataplaneOpenApi,
  strategicMerge: kindPatchMeta(),
  strategy: { validate: () => [] },
  table: nodeDataplaneTable,
  custom: { verbs: ['get', 'list'], subresources: [{ name: 'iptables', verbs: ['get'] }] },
};
