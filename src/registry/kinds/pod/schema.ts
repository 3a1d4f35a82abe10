/** core/v1 Pod: shape and decode-time defaults (pkg/apis/core/v1/defaults.go, SetDefaults_Pod/PodSpec/Container/Probe/Volume). */
import { z } from 'zod';
import {
  IntOrString,
  ResourceList,
  StringMap,
  Time,
  intDefault,
  kindSchema,
  listDefault,
  metadata,
  modeled,
  opaque,
  optBool,
  optInt,
  optString,
  optStrings,
  reqInt,
  reqString,
  stringDefault,
  typeMeta,
} from '../../../../schemas/meta.js';

export const ContainerPortSchema = modeled({
  name: optString,
  hostPort: optInt,
  containerPort: reqInt,
  protocol: stringDefault('TCP'),
  hostIP: optString,
});
export type ContainerPort = z.infer<typeof ContainerPortSchema>;

const HTTPGetActionSchema = modeled({
  path: stringDefault('/'),
  port: IntOrString.default(0),
  host: optString,
  scheme: stringDefault('HTTP'),
  httpHeaders: z.array(opaque()).optional(),
});

const TCPSocketActionSchema = modeled({ port: IntOrString.default(0), host: optString });

const GRPCActionSchema = modeled({ port: reqInt, service: optString });

export const ProbeSchema = modeled({
  exec: modeled({ command: optStrings }).optional(),
  httpGet: HTTPGetActionSchema.optional(),
  tcpSocket: TCPSocketActionSchema.optional(),
  grpc: GRPCActionSchema.optional(),
  initialDelaySeconds: optInt,
  timeoutSeconds: intDefault(1),
  periodSeconds: intDefault(10),
  successThreshold: intDefault(1),
  failureThreshold: intDefault(3),
  terminationGracePeriodSeconds: optInt,
});

export const ResourceRequirementsSchema = modeled({
  limits: ResourceList.optional(),
  requests: ResourceList.optional(),
  claims: z.array(opaque()).optional(),
});
export type ResourceRequirements = z.infer<typeof ResourceRequirementsSchema>;

const EnvVarSchema = modeled({ name: reqString, value: optString, valueFrom: opaque().optional() });

export const VolumeMountSchema = modeled({
  name: reqString,
  readOnly: optBool,
  recursiveReadOnly: optString,
  mountPath: reqString,
  subPath: optString,
  mountPropagation: optString,
  subPathExpr: optString,
});

const containerShape = {
  name: reqString,
  image: optString,
  command: optStrings,
  args: optStrings,
  workingDir: optString,
  ports: z.array(ContainerPortSchema).optional(),
  envFrom: z.array(opaque()).optional(),
  env: z.array(EnvVarSchema).optional(),
  resources: ResourceRequirementsSchema.optional(),
  resizePolicy: z.array(opaque()).optional(),
  restartPolicy: optString,
  volumeMounts: z.array(VolumeMountSchema).optional(),
  volumeDevices: z.array(opaque()).optional(),
  livenessProbe: ProbeSchema.optional(),
  readinessProbe: ProbeSchema.optional(),
  startupProbe: ProbeSchema.optional(),
  lifecycle: opaque().optional(),
  terminationMessagePath: stringDefault('/dev/termination-log'),
  terminationMessagePolicy: stringDefault('File'),
  imagePullPolicy: optString,
  securityContext: opaque().optional(),
  stdin: optBool,
  stdinOnce: optBool,
  tty: optBool,
};

/** The tag an image reference resolves to: `latest` when it names neither tag nor digest. */
function imageTag(image: string): string {
  const [name, digest] = image.split('@');
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon >= 0) return lastSegment.slice(colon + 1);
  return digest === undefined && name !== '' ? 'latest' : '';
}

function defaultContainer<C extends { image?: string; imagePullPolicy?: string }>(c: C): C {
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  return c;
}

export const ContainerSchema = modeled(containerShape).overwrite(defaultContainer);
export type Container = z.infer<typeof ContainerSchema>;

export const EphemeralContainerSchema = modeled({ ...containerShape, targetContainerName: optString }).overwrite(
  defaultContainer,
);

/** Mode 0644 for files projected from Secrets, ConfigMaps, the downward API and projections. */
const withDefaultMode = () => opaque({ defaultMode: z.number().int().default(0o644) }).optional();

export const VolumeSchema = opaque({
  name: reqString,
  secret: withDefaultMode(),
  configMap: withDefaultMode(),
  downwardAPI: withDefaultMode(),
  projected: withDefaultMode(),
}).overwrite((v) => {
  // A volume that names no source is an emptyDir.
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  return v;
});

export const TolerationSchema = modeled({
  key: optString,
  operator: optString,
  value: optString,
  effect: optString,
  tolerationSeconds: optInt,
});
export type Toleration = z.infer<typeof TolerationSchema>;

/** Requests default to limits for every resource that has a limit but no request. */
function defaultRequestsFromLimits(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    if (!c.resources?.limits) continue;
    c.resources.requests = { ...c.resources.limits, ...c.resources.requests };
  }
}

/** With host networking every container port is also a host port. */
function defaultHostNetworkPorts(containers: Container[] | undefined): void {
  for (const port of (containers ?? []).flatMap((c) => c.ports ?? [])) {
    if (!port.hostPort) port.hostPort = port.containerPort;
  }
}

export const PodSpecSchema = modeled({
  volumes: z.array(VolumeSchema).optional(),
  initContainers: z.array(ContainerSchema).optional(),
  containers: listDefault(ContainerSchema),
  ephemeralContainers: z.array(EphemeralContainerSchema).optional(),
  restartPolicy: stringDefault('Always'),
  terminationGracePeriodSeconds: z.number().int().default(30),
  activeDeadlineSeconds: optInt,
  dnsPolicy: stringDefault('ClusterFirst'),
  nodeSelector: StringMap.optional(),
  serviceAccountName: optString,
  serviceAccount: optString,
  automountServiceAccountToken: optBool,
  nodeName: optString,
  hostNetwork: optBool,
  hostPID: optBool,
  hostIPC: optBool,
  shareProcessNamespace: optBool,
  securityContext: opaque().default(() => ({})),
  imagePullSecrets: z.array(opaque()).optional(),
  hostname: optString,
  subdomain: optString,
  affinity: opaque().optional(),
  schedulerName: stringDefault('default-scheduler'),
  tolerations: z.array(TolerationSchema).optional(),
  hostAliases: z.array(opaque()).optional(),
  priorityClassName: optString,
  priority: optInt,
  dnsConfig: opaque().optional(),
  readinessGates: z.array(opaque()).optional(),
  runtimeClassName: optString,
  enableServiceLinks: z.boolean().default(true),
  preemptionPolicy: optString,
  overhead: ResourceList.optional(),
  topologySpreadConstraints: z.array(opaque()).optional(),
  setHostnameAsFQDN: optBool,
  os: opaque().optional(),
  hostUsers: optBool,
  schedulingGates: z.array(modeled({ name: reqString })).optional(),
  resourceClaims: z.array(opaque()).optional(),
  resources: ResourceRequirementsSchema.optional(),
}).overwrite((spec) => {
  defaultRequestsFromLimits(spec.containers);
  defaultRequestsFromLimits(spec.initContainers);
  if (spec.hostNetwork) {
    defaultHostNetworkPorts(spec.containers);
    defaultHostNetworkPorts(spec.initContainers);
  }
  // `serviceAccount` is the deprecated spelling of `serviceAccountName`; v1 keeps both in step.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  return spec;
});
export type PodSpec = z.infer<typeof PodSpecSchema>;

export const PodConditionSchema = modeled({
  type: reqString,
  observedGeneration: optInt,
  status: reqString,
  lastProbeTime: Time.optional(),
  lastTransitionTime: Time.optional(),
  reason: optString,
  message: optString,
});
export type PodCondition = z.infer<typeof PodConditionSchema>;

/** core/v1 ContainerState: its timestamps are metav1.Time, canonicalized like every other. */
const ContainerStateSchema = modeled({
  waiting: modeled({ reason: optString, message: optString }).optional(),
  running: modeled({ startedAt: Time.optional() }).optional(),
  terminated: modeled({
    exitCode: reqInt,
    signal: optInt,
    reason: optString,
    message: optString,
    startedAt: Time.optional(),
    finishedAt: Time.optional(),
    containerID: optString,
  }).optional(),
});

export const ContainerStatusSchema = modeled({
  name: reqString,
  state: ContainerStateSchema.optional(),
  lastState: ContainerStateSchema.optional(),
  ready: z.boolean().default(false),
  restartCount: reqInt,
  image: reqString,
  imageID: reqString,
  containerID: optString,
  started: optBool,
  allocatedResources: ResourceList.optional(),
  resources: ResourceRequirementsSchema.optional(),
  volumeMounts: z.array(opaque()).optional(),
  user: opaque().optional(),
  allocatedResourcesStatus: z.array(opaque()).optional(),
  stopSignal: optString,
});

const IPEntrySchema = modeled({ ip: reqString });

/** The singular and plural address fields agree, the singular one winning (v1 conversion). */
function syncAddresses(single: string | undefined, list: { ip: string }[] | undefined) {
  if (single && list?.[0]?.ip !== single) return { single, list: [{ ip: single }] };
  if (!single && list?.length) return { single: list[0].ip, list };
  return { single, list };
}

export const PodStatusSchema = modeled({
  observedGeneration: optInt,
  phase: optString,
  conditions: z.array(PodConditionSchema).optional(),
  message: optString,
  reason: optString,
  nominatedNodeName: optString,
  hostIP: optString,
  hostIPs: z.array(IPEntrySchema).optional(),
  podIP: optString,
  podIPs: z.array(IPEntrySchema).optional(),
  startTime: Time.optional(),
  initContainerStatuses: z.array(ContainerStatusSchema).optional(),
  containerStatuses: z.array(ContainerStatusSchema).optional(),
  qosClass: optString,
  ephemeralContainerStatuses: z.array(ContainerStatusSchema).optional(),
  resize: optString,
  resourceClaimStatuses: z.array(opaque()).optional(),
}).overwrite((status) => {
  const pod = syncAddresses(status.podIP, status.podIPs);
  const host = syncAddresses(status.hostIP, status.hostIPs);
  if (pod.single) [status.podIP, status.podIPs] = [pod.single, pod.list];
  if (host.single) [status.hostIP, status.hostIPs] = [host.single, host.list];
  return status;
});
export type PodStatus = z.infer<typeof PodStatusSchema>;

export const PodSchema = kindSchema(
  modeled({
    ...typeMeta,
    metadata,
    spec: PodSpecSchema.prefault({}),
    status: PodStatusSchema.optional(),
  }),
);
export type Pod = z.infer<typeof PodSchema>;
