/** What `kubectl explain` shows for Pods: upstream's type names and short descriptions. */
import { coreV1, kindDescription, type KindOpenApi } from '../../../openapi/types.js';
import {
  ContainerPortSchema,
  ContainerSchema,
  ContainerStatusSchema,
  EphemeralContainerSchema,
  PodConditionSchema,
  PodSpecSchema,
  PodStatusSchema,
  ProbeSchema,
  ResourceRequirementsSchema,
  TolerationSchema,
  VolumeMountSchema,
  VolumeSchema,
} from './schema.js';

export const podOpenApi: KindOpenApi = {
  names: [
    [PodSpecSchema, `${coreV1}.PodSpec`],
    [PodStatusSchema, `${coreV1}.PodStatus`],
    [PodConditionSchema, `${coreV1}.PodCondition`],
    [ContainerSchema, `${coreV1}.Container`],
    [EphemeralContainerSchema, `${coreV1}.EphemeralContainer`],
    [ContainerPortSchema, `${coreV1}.ContainerPort`],
    [ContainerStatusSchema, `${coreV1}.ContainerStatus`],
    [ProbeSchema, `${coreV1}.Probe`],
    [ResourceRequirementsSchema, `${coreV1}.ResourceRequirements`],
    [VolumeMountSchema, `${coreV1}.VolumeMount`],
    [VolumeSchema, `${coreV1}.Volume`],
    [TolerationSchema, `${coreV1}.Toleration`],
  ],
  descriptions: {
    [`${coreV1}.Pod`]: kindDescription(
      'A collection of containers that can run on a host. Created by clients and scheduled onto nodes.',
      {
        spec: 'Specification of the desired behavior of the pod.',
        status: 'Most recently observed status of the pod; may lag the actual state of the system.',
      },
    ),
    [`${coreV1}.PodSpec`]: {
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
    [`${coreV1}.PodStatus`]: {
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
    [`${coreV1}.Container`]: {
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
    [`${coreV1}.ContainerPort`]: {
      description: 'A network port in a single container.',
      fields: {
        name: 'An IANA_SVC_NAME unique within the pod, that services can refer to.',
        containerPort: "Number of port to expose on the pod's IP address (0 < x < 65536).",
        protocol: 'Protocol for port: UDP, TCP or SCTP. Defaults to TCP.',
        hostPort: 'Number of port to expose on the host.',
        hostIP: 'What host IP to bind the external port to.',
      },
    },
  },
};
