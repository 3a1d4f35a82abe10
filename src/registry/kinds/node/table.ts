/** How Nodes print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, nameColumn, type TableConvertor } from '../../table.js';
import type { Node } from './schema.js';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** ROLES from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length)
      roles.add(k.slice(NODE_ROLE_PREFIX.length));
    else if (k === NODE_ROLE_LABEL && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

/** STATUS: `Ready`, `NotReady` or `Unknown`, then `SchedulingDisabled` when cordoned. */
function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? '<none>';
}

function nodeInfo(node: Node, field: string): string {
  const value = node.status?.nodeInfo?.[field];
  return typeof value === 'string' ? value : '';
}

export const nodeTable: TableConvertor<Node> = {
  columns: [
    nameColumn(),
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    ageColumn,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'The node address of type InternalIP.', { wide: true }),
    column('External-IP', 'The node address of type ExternalIP.', { wide: true }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release.', { wide: true }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r'.", { wide: true }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API.', {
      wide: true,
    }),
  ],
  cells: (node, nowMs) => [
    node.metadata.name ?? '',
    nodeStatus(node),
    nodeRoles(node),
    age(node, nowMs),
    nodeInfo(node, 'kubeletVersion'),
    nodeAddress(node, 'InternalIP'),
    nodeAddress(node, 'ExternalIP'),
    nodeInfo(node, 'osImage') || '<unknown>',
    nodeInfo(node, 'kernelVersion') || '<unknown>',
    nodeInfo(node, 'containerRuntimeVersion') || '<unknown>',
  ],
};
