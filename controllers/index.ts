/**
 * The built-in controllers, by the name `--controllers` uses (kube-controller-manager style:
 * `*` for all, `-name` to leave one out).
 */
import { isControllerEnabled, type ServerConfig } from '../src/config/config.js';
import type { Reconciler } from '../src/runtime/api.js';
import type { Backend } from '../src/storage/interface.js';
import type { PodLogWriter } from '../src/podlogs/store.js';
import { bootstrapController } from './bootstrap/bootstrap.js';
import { clusterIPRepairController } from './clusterip/repair.js';
import { endpointsController } from './endpoints/endpoints.js';
import { endpointSliceController } from './endpointslices/endpointslices.js';
import { gkeFirewallController } from './firewalls/gke-firewalls.js';
import { kubeletController } from './kubelet/kubelet.js';
import { namespaceController } from './namespace/namespace.js';
import { nodeIpamController } from './node-ipam/node-ipam.js';
import { nodesController } from './nodes/nodes.js';
import { nodePortRepairController } from './nodeport/repair.js';
import { routeController } from './routes/routes.js';
import { schedulerController } from './scheduler/scheduler.js';
import { LoadBalancerIPPool } from './common/ip-pool.js';
import { ingressController } from './ingress-gce/ingress-gce.js';
import { cloudLoadBalancerController } from './cloud-lb/cloud-lb.js';

export type ControllerConfig = Pick<
  ServerConfig,
  | 'controllers'
  | 'nodes'
  | 'vpcCIDR'
  | 'clusterCIDR'
  | 'serviceCIDR'
  | 'nodePortRange'
  | 'externalIPPool'
  | 'clusterName'
  | 'loadBalancerIPPool'
>;

/** Every built-in controller, in start order, built from the server configuration. */
function builtinControllers(config: ControllerConfig, backend: Backend, podLogs?: PodLogWriter): Reconciler[] {
  // One pool for the network-LB and Ingress controllers, so they never hand out one address twice.
  const ipPool = new LoadBalancerIPPool(config.loadBalancerIPPool);
  return [
    bootstrapController({ serviceCIDR: config.serviceCIDR, vpcCIDR: config.vpcCIDR }),
    gkeFirewallController({
      clusterName: config.clusterName,
      clusterCIDR: config.clusterCIDR,
      vpcCIDR: config.vpcCIDR,
    }),
    nodesController({ nodes: config.nodes, vpcCIDR: config.vpcCIDR, externalIPPool: config.externalIPPool }),
    nodeIpamController({ clusterCIDR: config.clusterCIDR, serviceCIDR: config.serviceCIDR }),
    routeController({ clusterName: config.clusterName }),
    schedulerController(),
    kubeletController(podLogs),
    endpointsController,
    endpointSliceController,
    namespaceController(),
    clusterIPRepairController({ backend, serviceCIDR: config.serviceCIDR }),
    nodePortRepairController({ backend, nodePortRange: config.nodePortRange }),
    cloudLoadBalancerController({ clusterName: config.clusterName, ipPool }),
    ingressController({ ipPool }),
  ];
}

/** The built-in controllers `--controllers` selects; the kubelet writes the containers' logs to `podLogs`. */
export function selectedControllers(config: ControllerConfig, backend: Backend, podLogs?: PodLogWriter): Reconciler[] {
  return builtinControllers(config, backend, podLogs).filter((r) => isControllerEnabled(config.controllers, r.name));
}
