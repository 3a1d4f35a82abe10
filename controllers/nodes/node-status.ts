/**
 * What the simulated kubelet of a VM reports about its Node: labels, addresses, conditions,
 * capacity and nodeInfo, shaped like a GKE node's (kubectl get nodes -o wide shows them).
 */
import { createHash } from 'node:crypto';
import type { Node, NodeAddress, NodeCondition, NodeStatus } from '../../src/registry/kinds/node/schema.js';

/** The kubelet version every simulated node reports. */
export const KUBELET_VERSION = 'v1.32.0-kplane';

/** Capacity of one simulated VM (an e2-standard-2-like machine); allocatable is the same. */
const NODE_CAPACITY = { cpu: '2', memory: '7.5Gi', pods: '110' } as const;

/** The addresses a VM gets from the simulated cloud. */
export interface VmAddresses {
  internalIP: string;
  externalIP?: string;
}

/** Labels the kubelet puts on its Node at registration. */
function nodeLabels(name: string): Record<string, string> {
  return { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' };
}

/** InternalIP, ExternalIP (when the VM has one) and Hostname, in the kubelet's order. */
function nodeAddresses(name: string, vm: VmAddresses): NodeAddress[] {
  const addresses: NodeAddress[] = [{ type: 'InternalIP', address: vm.internalIP }];
  if (vm.externalIP) addresses.push({ type: 'ExternalIP', address: vm.externalIP });
  addresses.push({ type: 'Hostname', address: name });
  return addresses;
}

/** A healthy kubelet's four conditions, with the kubelet's reasons and messages. */
function healthyConditions(now: string): NodeCondition[] {
  const condition = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** Machine facts; the ids are derived from the name so they are stable across restarts. */
function nodeInfo(name: string): Record<string, string> {
  const id = createHash('sha256').update(name).digest('hex');
  return {
    machineID: id.slice(0, 32),
    systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    bootID: id.slice(32, 64),
    kernelVersion: '6.6.0-kplane',
    osImage: 'kplane simulated VM',
    containerRuntimeVersion: 'containerd://1.7.0-kplane',
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: KUBELET_VERSION,
    operatingSystem: 'linux',
    architecture: 'amd64',
  };
}

/**
 * `status` with every part a registering kubelet reports filled in where absent. Parts already
 * present are kept as they are, so a test can create a NotReady node, or one without an ExternalIP,
 * and it stays that way. `vm` is only consulted when the node has no addresses at all.
 */
export function completeNodeStatus(
  name: string,
  status: NodeStatus | undefined,
  vm: VmAddresses | undefined,
  now: string,
): NodeStatus {
  const next: NodeStatus = { ...status };
  if (!next.addresses?.length && vm) next.addresses = nodeAddresses(name, vm);
  if (!next.conditions?.length) next.conditions = healthyConditions(now);
  next.capacity ??= { ...NODE_CAPACITY };
  next.allocatable ??= { ...next.capacity };
  next.daemonEndpoints ??= { kubeletEndpoint: { Port: 10250 } };
  next.nodeInfo ??= nodeInfo(name);
  return next;
}

/** The Node object a fresh simulated VM registers. */
export function newSimulatedNode(name: string, vm: VmAddresses, now: string): Omit<Node, 'apiVersion' | 'kind'> {
  return {
    metadata: { name, labels: nodeLabels(name) },
    spec: {},
    status: completeNodeStatus(name, undefined, vm, now),
  };
}

/** The address of `type` a node reports, if any. */
export function nodeAddress(node: Pick<Node, 'status'>, type: 'InternalIP' | 'ExternalIP'): string | undefined {
  return node.status?.addresses?.find((a) => a.type === type)?.address;
}
