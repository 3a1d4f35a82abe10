/** What `kubectl explain` shows for Services: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import {
  LoadBalancerIngressSchema,
  LoadBalancerStatusSchema,
  ServicePortSchema,
  ServiceSpecSchema,
  ServiceStatusSchema,
} from './schema.js';

export const serviceOpenApi: KindOpenApi = {
  names: [
    [ServiceSpecSchema, `${coreV1}.ServiceSpec`],
    [ServicePortSchema, `${coreV1}.ServicePort`],
    [ServiceStatusSchema, `${coreV1}.ServiceStatus`],
    [LoadBalancerStatusSchema, `${coreV1}.LoadBalancerStatus`],
    [LoadBalancerIngressSchema, `${coreV1}.LoadBalancerIngress`],
  ],
  descriptions: {
    [`${coreV1}.Service`]: kindDescription(
      'A named abstraction of a software service: a local port (for example 3306) that the proxy listens on, and the selector that determines which pods answer requests sent through the proxy.',
      {
        spec: 'The behavior of the service.',
        status: 'The most recently observed status of the service, populated by the system.',
      },
    ),
    [`${coreV1}.ServiceSpec`]: {
      description: 'The attributes a user creates on a service.',
      fields: {
        ports: 'The list of ports exposed by this service.',
        selector: 'Route service traffic to pods with label keys and values matching this selector.',
        clusterIP: 'The IP address of the service, usually assigned randomly. "None" makes a headless service.',
        clusterIPs: 'The IP addresses assigned to this service, one per IP family; the first is clusterIP.',
        type: 'How the Service is exposed: ExternalName, ClusterIP, NodePort or LoadBalancer. Defaults to ClusterIP.',
        externalIPs: 'IP addresses for which nodes also accept traffic for this service.',
        sessionAffinity: 'ClientIP or None: whether connections from one client go to the same pod. Defaults to None.',
        loadBalancerIP: 'Deprecated: the IP to request from a load balancer.',
        loadBalancerSourceRanges: 'Client IP ranges allowed through a cloud load balancer.',
        externalName: 'The external reference that discovery mechanisms return as an alias (type ExternalName).',
        externalTrafficPolicy:
          'How traffic to external addresses (NodePorts, ExternalIPs, load balancer IPs) is distributed: Cluster or Local.',
        healthCheckNodePort:
          'The health-check node port of a LoadBalancer service with the Local external traffic policy.',
        publishNotReadyAddresses: 'Publish the addresses of pods that are not ready.',
        sessionAffinityConfig: 'The configuration of session affinity.',
        ipFamilies: 'The IP families (IPv4, IPv6) assigned to this service.',
        ipFamilyPolicy: 'SingleStack, PreferDualStack or RequireDualStack.',
        allocateLoadBalancerNodePorts: 'Whether NodePorts are allocated for a LoadBalancer service. Defaults to true.',
        loadBalancerClass: 'The class of the load balancer implementation this service belongs to.',
        internalTrafficPolicy: 'How traffic from inside the cluster is routed: Cluster or Local.',
        trafficDistribution: "A preference for how traffic is distributed to the service's endpoints.",
      },
    },
    [`${coreV1}.ServicePort`]: {
      description: "Information on a service's port.",
      fields: {
        name: 'The name of this port within the service; must be a DNS_LABEL, and is required when there is more than one port.',
        protocol: 'The IP protocol for this port: TCP, UDP or SCTP. Defaults to TCP.',
        appProtocol: 'The application protocol for this port, a hint for implementations.',
        port: 'The port that will be exposed by this service.',
        targetPort:
          'Number or name of the port to access on the pods targeted by the service. Defaults to the value of port.',
        nodePort:
          'The port on each node on which this service is exposed when type is NodePort or LoadBalancer; allocated by the system when not given.',
      },
    },
    [`${coreV1}.ServiceStatus`]: {
      description: 'The current status of a service.',
      fields: {
        loadBalancer: 'The current status of the load balancer, if one is present.',
        conditions: 'The current conditions of the service.',
      },
    },
  },
};
