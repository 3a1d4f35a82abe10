/**
 * Short descriptions `kubectl explain` prints, by component name: one for the type and one per
 * field. Fields missing here are listed without a description.
 */

export interface TypeDescription {
  description?: string;
  fields?: Record<string, string>;
}

/** The fields every kind has, described once. */
const objectFields: Record<string, string> = {
  apiVersion:
    'Versioned schema of this representation of an object; the server converts recognized schemas to the latest internal value.',
  kind: 'The REST resource this object represents, in CamelCase. Inferred from the endpoint the client submits requests to; cannot be updated.',
  metadata: "Standard object's metadata: name, namespace, labels, annotations and the server-managed fields.",
  spec: 'The desired behavior of the object, set by its users.',
  status: 'The most recently observed status of the object, set by the system. Read-only for users.',
};

/** Descriptions of the standard fields of a kind, with its own text for the type. */
function kindDescription(description: string, fields: Record<string, string> = {}): TypeDescription {
  return { description, fields: { ...objectFields, ...fields } };
}

const core = 'io.k8s.api.core.v1';
const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const networking = 'io.k8s.api.networking.v1';

/** Descriptions by component name. */
export const descriptions: Record<string, TypeDescription> = {
  [`${core}.Binding`]: kindDescription(
    'Ties one object to another; for example, a pod is bound to a node by a scheduler.',
    {
      target: 'The target object that you want to bind to the standard object.',
    },
  ),
  [`${core}.Pod`]: kindDescription(
    'A collection of containers that can run on a host. Created by clients and scheduled onto nodes.',
    {
      spec: 'Specification of the desired behavior of the pod.',
      status: 'Most recently observed status of the pod; may lag the actual state of the system.',
    },
  ),
  [`${core}.Service`]: kindDescription(
    'A named abstraction of a software service: a local port (for example 3306) that the proxy listens on, and the selector that determines which pods answer requests sent through the proxy.',
    {
      spec: 'The behavior of the service.',
      status: 'The most recently observed status of the service, populated by the system.',
    },
  ),
  [`${core}.Endpoints`]: kindDescription('The set of addresses and ports that implement a Service.', {
    subsets: 'The sets of addresses and ports that comprise the service: every address with every port of its subset.',
  }),
  [`${core}.Node`]: kindDescription('A worker node of the cluster.', {
    spec: 'The behavior of the node.',
    status: 'The most recently observed status of the node.',
  }),
  [`${core}.Namespace`]: kindDescription('A scope for names: every namespaced object lives in exactly one namespace.', {
    spec: 'The behavior of the namespace: its finalizers.',
    status: 'The current status of the namespace: its lifecycle phase.',
  }),
  [`${core}.Event`]: kindDescription('A report of an event somewhere in the cluster.', {
    involvedObject: 'The object this event is about.',
    reason: "Short, machine understandable reason for the transition into the object's current status.",
    message: 'A human-readable description of the status of this operation.',
    source: 'The component reporting this event.',
    firstTimestamp: 'The time at which the event was first recorded.',
    lastTimestamp: 'The time at which the most recent occurrence of this event was recorded.',
    count: 'The number of times this event has occurred.',
    type: 'Type of this event (Normal, Warning).',
  }),
  ['io.k8s.api.discovery.v1.EndpointSlice']: kindDescription(
    'A subset of the endpoints that implement a service, for scalable service proxies.',
    {
      addressType: 'The type of address carried by this slice: IPv4, IPv6 or FQDN.',
      endpoints: 'A list of unique endpoints in this slice.',
      ports: 'The network ports exposed by each endpoint of this slice.',
    },
  ),
  [`${networking}.Ingress`]: kindDescription(
    'A collection of rules that allow inbound connections to reach the endpoints defined by a backend.',
    {
      spec: 'The desired state of the Ingress.',
      status: 'The current state of the Ingress.',
    },
  ),
  [`${networking}.IngressClass`]: kindDescription(
    'The class of an Ingress, naming the controller that implements it.',
    {
      spec: 'The desired state of the IngressClass.',
    },
  ),
  ['io.k8s.api.coordination.v1.Lease']: kindDescription('A lease concept: leader election and node heartbeats.', {
    spec: 'The specification of the Lease.',
  }),
  ['io.k8s.api.compute.v1alpha1.Route']: kindDescription(
    'A VPC route of the simulated cloud: packets for destRange go to the node nextHopInstance. The route controller keeps one per node, for its pod CIDR.',
    {
      spec: 'The destination range, next-hop node, priority and description of the route.',
    },
  ),
  ['io.k8s.api.compute.v1alpha1.Firewall']: kindDescription(
    'A VPC firewall rule of the simulated cloud: ingress to a node is denied unless a rule allows it.',
    {
      spec: 'The source ranges, allowed protocols and ports, target nodes and priority of the rule.',
    },
  ),
  ['io.k8s.api.compute.v1alpha1.ForwardingRule']: kindDescription(
    'A load balancer frontend of the simulated cloud: an IP address, protocol and ports, forwarded to nodes or through a URL map.',
    {
      spec: 'The address, protocol, ports and target of the rule.',
      status: "The health of the rule's backend nodes.",
    },
  ),
  ['io.k8s.api.network.v1alpha1.NodeDataplane']: kindDescription(
    "A node's simulated dataplane, derived from the API: its interfaces, routes, iptables rule counts and conntrack entries. Read-only.",
    {
      status: "The node's interfaces, routes, rules and tracked connections.",
    },
  ),
  ['io.k8s.api.network.v1alpha1.PacketTrace']: kindDescription(
    'A question about one packet: create it and the response carries, in status, every hop it takes through the simulated network, the reply path and the backends it could reach. Not stored.',
    {
      spec: 'Where the packet starts, where it goes, its protocol and source port.',
      status: 'The outcome, the hops forward and back, the backends and their probabilities.',
    },
  ),
  [`${core}.PodSpec`]: {
    description: 'A description of a pod.',
    fields: {
      containers: 'List of containers belonging to the pod. There must be at least one. Cannot be updated.',
      initContainers: 'List of initialization containers, run in order before the app containers start.',
      ephemeralContainers: 'Ephemeral containers run in this pod for user-initiated activities such as debugging.',
      volumes: 'List of volumes that can be mounted by containers belonging to the pod.',
      restartPolicy: 'Restart policy for all containers within the pod: Always, OnFailure or Never. Default Always.',
      terminationGracePeriodSeconds: 'Seconds the pod needs to terminate gracefully. Defaults to 30 seconds.',
      activeDeadlineSeconds:
        'Duration in seconds the pod may be active on the node before the system actively tries to mark it failed.',
      dnsPolicy:
        'DNS policy for the pod: ClusterFirstWithHostNet, ClusterFirst, Default or None. Defaults to ClusterFirst.',
      nodeSelector: "A selector which must match a node's labels for the pod to be scheduled on that node.",
      serviceAccountName: 'Name of the ServiceAccount to use to run this pod.',
      serviceAccount: 'Deprecated alias for serviceAccountName.',
      automountServiceAccountToken: 'Whether a service account token should be automatically mounted.',
      nodeName: 'Requests to schedule this pod onto a specific node. Set by the scheduler when empty.',
      hostNetwork: "Host networking requested for this pod: it uses the host's network namespace. Default false.",
      hostPID: "Use the host's pid namespace. Default false.",
      hostIPC: "Use the host's ipc namespace. Default false.",
      shareProcessNamespace: 'Share a single process namespace between all of the containers in a pod.',
      securityContext: 'Pod-level security attributes and common container settings.',
      imagePullSecrets: 'References to secrets in the same namespace to use for pulling the images.',
      hostname: "The hostname of the pod. Defaults to the pod's name.",
      subdomain:
        'The pod\'s fully qualified name is "<hostname>.<subdomain>.<namespace>.svc.<cluster domain>" when set.',
      affinity: "The pod's scheduling constraints.",
      schedulerName: 'The scheduler that dispatches the pod. Defaults to default-scheduler.',
      tolerations: "The pod's tolerations.",
      hostAliases: "Hosts and IPs injected into the pod's hosts file.",
      priorityClassName: "The name of the pod's priority class.",
      priority: 'The priority value, resolved from priorityClassName by admission.',
      dnsConfig: 'DNS parameters of the pod, merged into the configuration from dnsPolicy.',
      readinessGates: "Conditions evaluated for the pod's readiness besides the containers' readiness.",
      runtimeClassName: 'The RuntimeClass used to run this pod.',
      enableServiceLinks:
        "Whether information about services is injected into the pod's environment variables. Defaults to true.",
      preemptionPolicy: 'Policy for preempting pods with lower priority: Never or PreemptLowerPriority.',
      overhead: "Resource overhead of running the pod on top of its containers' requests.",
      topologySpreadConstraints: 'How the pods of a group spread across topology domains.',
      setHostnameAsFQDN: "Whether the pod's hostname is its FQDN rather than the leaf name.",
      os: 'The OS of the containers in the pod.',
      hostUsers: "Use the host's user namespace. Default true.",
      schedulingGates: 'Gates that block scheduling the pod while any remains.',
      resourceClaims: 'ResourceClaims that must be allocated and reserved before the pod may start.',
      resources: 'Total compute resources required by all containers of the pod.',
    },
  },
  [`${core}.PodStatus`]: {
    description: 'Information about the status of a pod; may trail the actual state of the system.',
    fields: {
      phase:
        'Simple, high-level summary of where the pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.',
      conditions: 'Current service state of the pod.',
      hostIP: 'IP address of the host to which the pod is assigned.',
      podIP: 'IP address allocated to the pod; routable at least within the cluster.',
      podIPs: 'IP addresses allocated to the pod; the first is podIP.',
      startTime: 'Time at which the node acknowledged the pod, before its images were pulled.',
      containerStatuses: 'Statuses of the containers of the pod, one per container in the manifest.',
      qosClass: 'Quality of Service class assigned to the pod from its resource requirements.',
    },
  },
  [`${core}.Container`]: {
    description: 'A single application container to run within a pod.',
    fields: {
      name: 'Name of the container, a DNS_LABEL unique within the pod. Cannot be updated.',
      image: 'Container image name.',
      command: "Entrypoint array, run without a shell. The image's ENTRYPOINT is used if not provided.",
      args: "Arguments to the entrypoint. The image's CMD is used if not provided.",
      workingDir: "Container's working directory.",
      ports: 'Ports to expose from the container (informational).',
      env: 'Environment variables to set in the container.',
      envFrom: 'Sources to populate environment variables in the container.',
      resources: 'Compute resources required by this container.',
      volumeMounts: "Pod volumes to mount into the container's filesystem.",
      livenessProbe: 'Periodic probe of container liveness; the container restarts if it fails.',
      readinessProbe:
        'Periodic probe of container service readiness; the container is removed from service endpoints if it fails.',
      startupProbe: 'Probe that must succeed before any other probe runs.',
      imagePullPolicy:
        'Image pull policy: Always, Never or IfNotPresent. Defaults to Always for the :latest tag, IfNotPresent otherwise.',
      securityContext: 'Security options the container runs with.',
      terminationMessagePath:
        "File into which the container's termination message is written. Defaults to /dev/termination-log.",
      terminationMessagePolicy:
        'How the termination message is populated: File or FallbackToLogsOnError. Defaults to File.',
    },
  },
  [`${core}.ContainerPort`]: {
    description: 'A network port in a single container.',
    fields: {
      name: 'An IANA_SVC_NAME unique within the pod, that services can refer to.',
      containerPort: "Number of port to expose on the pod's IP address (0 < x < 65536).",
      protocol: 'Protocol for port: UDP, TCP or SCTP. Defaults to TCP.',
      hostPort: 'Number of port to expose on the host.',
      hostIP: 'What host IP to bind the external port to.',
    },
  },
  [`${core}.ServiceSpec`]: {
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
  [`${core}.ServicePort`]: {
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
  [`${core}.ServiceStatus`]: {
    description: 'The current status of a service.',
    fields: {
      loadBalancer: 'The current status of the load balancer, if one is present.',
      conditions: 'The current conditions of the service.',
    },
  },
  [`${core}.NodeSpec`]: {
    description: 'The attributes a node is created with.',
    fields: {
      podCIDR: 'The pod IP range assigned to the node.',
      podCIDRs: 'The pod IP ranges assigned to the node, one per IP family.',
      providerID: 'ID of the node assigned by the cloud provider.',
      unschedulable: 'Whether new pods may not be scheduled onto the node.',
      taints: 'The taints of the node.',
    },
  },
  [`${networking}.IngressSpec`]: {
    description: 'The Ingress the user wishes to exist.',
    fields: {
      ingressClassName: 'The name of the IngressClass this Ingress belongs to.',
      defaultBackend: 'The backend for requests that match no rule.',
      tls: 'TLS configuration.',
      rules: 'Host rules configuring the Ingress; unmatched traffic goes to the default backend.',
    },
  },
  [`${meta}.ObjectMeta`]: {
    description: 'Metadata that all persisted resources must have.',
    fields: {
      name: 'Name must be unique within a namespace. Required when creating resources, unless generateName is set. Cannot be updated.',
      generateName: 'Prefix the server uses to generate a unique name when name is not provided.',
      namespace: 'The namespace within which the name must be unique. Empty for cluster-scoped objects.',
      uid: 'Unique in time and space value for this object, generated by the server.',
      resourceVersion:
        'An opaque value that represents the internal version of this object, for optimistic concurrency and watches.',
      generation: 'A sequence number representing a specific generation of the desired state, set by the system.',
      creationTimestamp: 'The time the object was created, set by the server.',
      deletionTimestamp:
        'RFC 3339 date and time at which this resource will be deleted, set by the server when deletion is requested.',
      labels: 'Map of string keys and values used to organize and categorize (scope and select) objects.',
      annotations: 'Unstructured key value map stored with a resource, for arbitrary metadata.',
      ownerReferences: 'Objects this object depends on.',
      finalizers: 'Entries that must be empty before the object is deleted from the registry.',
      managedFields: 'Which managers changed which fields.',
    },
  },
};
