/** core/v1 pods (pkg/registry/core/pod/strategy.go, ValidatePodSpec / ValidatePodUpdate). */
import { podOpenApi } from './openapi.js';
import { podMergeKeys } from './merge-keys.js';
import { fieldError, type StatusCause } from '../../../apimachinery/errors.js';
import {
  inclusiveRangeError,
  invalidEach,
  isDNS1123Subdomain,
  isValidLabelValue,
  isValidPortName,
  notFound,
  semanticEqual,
  validateDNS1123Label,
  validateEnum,
  validateLabels,
  validateNonnegative,
  validatePortNumber,
  validateQualifiedName,
} from '../../../apimachinery/validation.js';
import { quantityValue, type Quantity } from '../../../../schemas/meta.js';
import { PodSchema, type Container, type Pod, type PodSpec, type Toleration } from './schema.js';
import type { ResourceType } from '../../resource.js';
import {
  formatBool,
  validateNodeNameRef,
  validatePortNumOrName,
  validateProtocol,
  validateTaintEffect,
} from '../common.js';
import { podTable } from './table.js';
import { podBinding } from './binding.js';
import { podConnect } from './connect.js';

const MAX_INT32 = 2147483647;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;

type Probe = NonNullable<Container['livenessProbe']>;

function validateProbe(
  probe: Probe | undefined,
  field: string,
  kind: 'liveness' | 'readiness' | 'startup',
): StatusCause[] {
  if (!probe) return [];
  const causes: StatusCause[] = [];
  const handlers = PROBE_HANDLERS.filter((h) => probe[h] !== undefined);
  if (handlers.length === 0) causes.push(fieldError.required(field, 'must specify a handler type'));
  if (handlers.length > 1) causes.push(fieldError.forbidden(field, 'may not specify more than 1 handler type'));
  if (probe.httpGet) causes.push(...validatePortNumOrName(probe.httpGet.port, `${field}.httpGet.port`));
  if (probe.tcpSocket) causes.push(...validatePortNumOrName(probe.tcpSocket.port, `${field}.tcpSocket.port`));
  if (probe.grpc) causes.push(...validatePortNumber(probe.grpc.port, `${field}.grpc.port`));
  for (const key of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    causes.push(...validateNonnegative(probe[key], `${field}.${key}`));
  }
  if (kind !== 'readiness' && probe.successThreshold !== 1)
    causes.push(fieldError.invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined) {
    causes.push(
      fieldError.invalid(
        `${field}.terminationGracePeriodSeconds`,
        probe.terminationGracePeriodSeconds,
        'must not be set for readinessProbes',
      ),
    );
  }
  return causes;
}

function validateContainerPorts(ports: Container['ports'], field: string): StatusCause[] {
  const names = new Set<string>();
  return (ports ?? []).flatMap((port, i) => {
    const path = `${field}[${i}]`;
    const causes: StatusCause[] = [];
    if (port.name) {
      const nameErrors = invalidEach(`${path}.name`, port.name, isValidPortName(port.name));
      if (nameErrors.length) causes.push(...nameErrors);
      else if (names.has(port.name)) causes.push(fieldError.duplicate(`${path}.name`, port.name));
      names.add(port.name);
    }
    if (port.containerPort === 0) causes.push(fieldError.required(`${path}.containerPort`));
    else causes.push(...validatePortNumber(port.containerPort, `${path}.containerPort`));
    if (port.hostPort) causes.push(...validatePortNumber(port.hostPort, `${path}.hostPort`));
    causes.push(...validateProtocol(port.protocol, `${path}.protocol`));
    return causes;
  });
}

/** Resources whose request may be below the limit (native ones other than huge pages). */
function overcommitAllowed(resource: string): boolean {
  const native = !resource.includes('/') || resource.startsWith('kubernetes.io/');
  return native && !resource.startsWith('hugepages-');
}

function validateResources(resources: Container['resources'], field: string): StatusCause[] {
  const limits = resources?.limits ?? {};
  const requests = resources?.requests ?? {};
  const causes: StatusCause[] = [];
  for (const [kind, list] of [
    ['limits', limits],
    ['requests', requests],
  ] as const) {
    for (const [name, q] of Object.entries(list)) {
      if (quantityValue(q) < 0)
        causes.push(fieldError.invalid(`${field}.${kind}[${name}]`, String(q), 'must be greater than or equal to 0'));
    }
  }
  for (const [name, request] of Object.entries(requests)) {
    const limit: Quantity | undefined = limits[name];
    if (limit === undefined) continue;
    const [r, l] = [quantityValue(request), quantityValue(limit)];
    if (r !== l && !overcommitAllowed(name))
      causes.push(
        fieldError.invalid(`${field}.requests`, String(request), `must be equal to ${name} limit of ${limit}`),
      );
    else if (r > l)
      causes.push(
        fieldError.invalid(
          `${field}.requests`,
          String(request),
          `must be less than or equal to ${name} limit of ${limit}`,
        ),
      );
  }
  return causes;
}

/** Environment variable names: any printable ASCII but `=` (relaxed rule of Kubernetes 1.32+). */
function validateEnv(env: Container['env'], field: string): StatusCause[] {
  return (env ?? []).flatMap((e, i) => {
    const path = `${field}[${i}].name`;
    if (!e.name) return [fieldError.required(path)];
    return /^[\x20-\x7e]+$/.test(e.name) && !e.name.includes('=')
      ? []
      : [
          fieldError.invalid(
            path,
            e.name,
            "a valid environment variable name must consist only of printable ASCII characters other than '='",
          ),
        ];
  });
}

function validateVolumeMounts(mounts: Container['volumeMounts'], volumes: Set<string>, field: string): StatusCause[] {
  const paths = new Set<string>();
  return (mounts ?? []).flatMap((m, i) => {
    const path = `${field}[${i}]`;
    const causes: StatusCause[] = [];
    if (!m.name) causes.push(fieldError.required(`${path}.name`));
    if (!volumes.has(m.name)) causes.push(notFound(`${path}.name`, m.name));
    if (!m.mountPath) causes.push(fieldError.required(`${path}.mountPath`));
    else if (paths.has(m.mountPath))
      causes.push(fieldError.invalid(`${path}.mountPath`, m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    return causes;
  });
}

/** Rules every container (regular, init, ephemeral) follows; `names` collects names to catch duplicates. */
function validateContainer(c: Container, path: string, volumes: Set<string>, names: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c.name) causes.push(fieldError.required(`${path}.name`));
  else causes.push(...validateDNS1123Label(c.name, `${path}.name`));
  if (c.name && names.has(c.name)) causes.push(fieldError.duplicate(`${path}.name`, c.name));
  names.add(c.name);
  if (!c.image) causes.push(fieldError.required(`${path}.image`));
  causes.push(
    ...validateEnum(c.imagePullPolicy, `${path}.imagePullPolicy`, PULL_POLICIES),
    ...validateContainerPorts(c.ports, `${path}.ports`),
    ...validateEnv(c.env, `${path}.env`),
    ...validateVolumeMounts(c.volumeMounts, volumes, `${path}.volumeMounts`),
    ...validateResources(c.resources, `${path}.resources`),
    ...validateProbe(c.livenessProbe, `${path}.livenessProbe`, 'liveness'),
    ...validateProbe(c.readinessProbe, `${path}.readinessProbe`, 'readiness'),
    ...validateProbe(c.startupProbe, `${path}.startupProbe`, 'startup'),
  );
  return causes;
}

function validateVolumes(volumes: PodSpec['volumes']): { names: Set<string>; causes: StatusCause[] } {
  const names = new Set<string>();
  const causes = (volumes ?? []).flatMap((v, i) => {
    const path = `spec.volumes[${i}].name`;
    const errs = v.name ? validateDNS1123Label(v.name, path) : [fieldError.required(path)];
    if (v.name && names.has(v.name)) errs.push(fieldError.duplicate(path, v.name));
    names.add(v.name);
    return errs;
  });
  return { names, causes };
}

/** An empty operator means Equal, whose value is a label value; Exists takes no value. */
function validateTolerationOperator(t: Toleration, field: string): StatusCause[] {
  switch (t.operator || 'Equal') {
    case 'Equal':
      return invalidEach(field, t.value ?? '', isValidLabelValue(t.value ?? ''));
    case 'Exists':
      return t.value ? [fieldError.invalid(field, t, "value must be empty when `operator` is 'Exists'")] : [];
    default:
      return [fieldError.unsupported(field, t.operator, ['Equal', 'Exists'])];
  }
}

/** Upstream `ValidateTolerations`. */
function validateTolerations(tolerations: Toleration[] | undefined): StatusCause[] {
  return (tolerations ?? []).flatMap((t, i) => {
    const path = `spec.tolerations[${i}]`;
    const causes: StatusCause[] = [];
    if (t.key) causes.push(...validateQualifiedName(t.key, `${path}.key`));
    if (!t.key && t.operator !== 'Exists') {
      causes.push(
        fieldError.invalid(
          `${path}.operator`,
          t.operator ?? '',
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      causes.push(
        fieldError.invalid(
          `${path}.effect`,
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    causes.push(...validateTolerationOperator(t, `${path}.operator`));
    causes.push(...validateTaintEffect(t.effect, true, `${path}.effect`));
    return causes;
  });
}

function validateHostNetworkPorts(spec: PodSpec): StatusCause[] {
  if (!spec.hostNetwork) return [];
  return spec.containers.flatMap((c, i) =>
    (c.ports ?? []).flatMap((p, j) =>
      p.hostPort === p.containerPort
        ? []
        : [
            fieldError.invalid(
              `spec.containers[${i}].ports[${j}].containerPort`,
              p.containerPort,
              'must match `hostPort` when `hostNetwork` is true',
            ),
          ],
    ),
  );
}

function validateNamedFields(spec: PodSpec): StatusCause[] {
  const causes: StatusCause[] = [];
  const subdomainFields = {
    serviceAccountName: spec.serviceAccountName,
    priorityClassName: spec.priorityClassName,
  } as const;
  for (const [key, value] of Object.entries(subdomainFields))
    if (value) causes.push(...invalidEach(`spec.${key}`, value, isDNS1123Subdomain(value)));
  for (const key of ['hostname', 'subdomain'] as const)
    if (spec[key]) causes.push(...validateDNS1123Label(spec[key], `spec.${key}`));
  return [...causes, ...validateNodeNameRef(spec.nodeName, 'spec.nodeName')];
}

function validatePodSpec(spec: PodSpec): StatusCause[] {
  const volumes = validateVolumes(spec.volumes);
  const names = new Set<string>();
  const causes = [...volumes.causes];
  if (spec.containers.length === 0) causes.push(fieldError.required('spec.containers'));
  spec.containers.forEach((c, i) =>
    causes.push(...validateContainer(c, `spec.containers[${i}]`, volumes.names, names)),
  );
  spec.initContainers?.forEach((c, i) =>
    causes.push(...validateContainer(c, `spec.initContainers[${i}]`, volumes.names, names)),
  );
  spec.ephemeralContainers?.forEach((c, i) =>
    causes.push(...validateContainer(c, `spec.ephemeralContainers[${i}]`, volumes.names, names)),
  );
  causes.push(
    ...validateEnum(spec.restartPolicy, 'spec.restartPolicy', RESTART_POLICIES),
    ...validateEnum(spec.dnsPolicy, 'spec.dnsPolicy', DNS_POLICIES),
    ...validateLabels(spec.nodeSelector, 'spec.nodeSelector'),
    ...validateNamedFields(spec),
    ...validateTolerations(spec.tolerations),
    ...validateHostNetworkPorts(spec),
  );
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig)
    causes.push(fieldError.required('spec.dnsConfig', 'must provide `dnsConfig` when `dnsPolicy` is None'));
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    causes.push(fieldError.invalid('spec.activeDeadlineSeconds', deadline, inclusiveRangeError(1, MAX_INT32)));
  }
  return causes;
}

/** QoS class from the CPU and memory requests and limits of all containers (upstream `GetPodQOS`). */
function podQOSClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const found = new Set<string>();
    for (const name of ['cpu', 'memory']) {
      const request = c.resources?.requests?.[name];
      const limit = c.resources?.limits?.[name];
      if (request !== undefined && quantityValue(request) > 0)
        requests.set(name, (requests.get(name) ?? 0) + quantityValue(request));
      if (limit !== undefined && quantityValue(limit) > 0) {
        limits.set(name, (limits.get(name) ?? 0) + quantityValue(limit));
        found.add(name);
      }
    }
    if (found.size < 2) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  const requestsMatchLimits = [...requests].every(([name, value]) => limits.get(name) === value);
  return guaranteed && requestsMatchLimits && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

const SPEC_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validateActiveDeadlineUpdate(next: number | undefined, prev: number | undefined): StatusCause[] {
  const field = 'spec.activeDeadlineSeconds';
  if (next === undefined)
    return prev === undefined
      ? []
      : [fieldError.invalid(field, null, 'must not update from a positive integer to nil value')];
  if (next < 0 || next > MAX_INT32) return [fieldError.invalid(field, next, inclusiveRangeError(0, MAX_INT32))];
  return prev !== undefined && prev < next
    ? [fieldError.invalid(field, next, 'must be less than or equal to previous value')]
    : [];
}

/** Existing tolerations may only gain a different tolerationSeconds; new ones may be added. */
function validateTolerationsUpdate(next: Toleration[] | undefined, prev: Toleration[] | undefined): StatusCause[] {
  const kept = (prev ?? []).every((old) =>
    (next ?? []).some((t) => semanticEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t)),
  );
  return kept
    ? []
    : [
        fieldError.forbidden(
          'spec.tolerations',
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      ];
}

function validateSchedulingGatesUpdate(
  next: PodSpec['schedulingGates'],
  prev: PodSpec['schedulingGates'],
): StatusCause[] {
  const before = new Set((prev ?? []).map((g) => g.name));
  const added = (next ?? []).find((g) => !before.has(g.name));
  return added
    ? [
        fieldError.forbidden(
          'spec.schedulingGates',
          `only deletion is allowed, but found new scheduling gate '${added.name}'`,
        ),
      ]
    : [];
}

/** The new spec with every field a pod update may change reset to the old value. */
function withMutableFieldsFrom(next: PodSpec, prev: PodSpec): PodSpec {
  const imageFrom = (list: Container[] | undefined, old: Container[] | undefined) =>
    list?.map((c, i) => ({ ...c, image: old?.[i]?.image }));
  const grace =
    (prev.terminationGracePeriodSeconds ?? 0) < 0 && next.terminationGracePeriodSeconds === 1
      ? prev.terminationGracePeriodSeconds
      : next.terminationGracePeriodSeconds;
  return {
    ...next,
    containers: imageFrom(next.containers, prev.containers) ?? [],
    initContainers: imageFrom(next.initContainers, prev.initContainers),
    activeDeadlineSeconds: prev.activeDeadlineSeconds,
    tolerations: prev.tolerations,
    schedulingGates: prev.schedulingGates,
    terminationGracePeriodSeconds: grace,
    // Stand-in for pods/binding: an unscheduled pod may be given a node, once (never changed or unset).
    nodeName: prev.nodeName ? next.nodeName : undefined,
  };
}

function validatePodUpdate(pod: Pod, old: Pod): StatusCause[] {
  const [next, prev] = [pod.spec, old.spec];
  for (const key of ['containers', 'initContainers'] as const) {
    if ((next[key]?.length ?? 0) !== (prev[key]?.length ?? 0))
      return [fieldError.forbidden(`spec.${key}`, 'pod updates may not add or remove containers')];
  }
  const causes = next.containers.flatMap((c, i) =>
    c.image && c.image.trim() !== c.image
      ? [fieldError.invalid(`spec.containers[${i}].image`, c.image, 'must not have leading or trailing whitespace')]
      : [],
  );
  causes.push(
    ...validateActiveDeadlineUpdate(next.activeDeadlineSeconds, prev.activeDeadlineSeconds),
    ...validateTolerationsUpdate(next.tolerations, prev.tolerations),
    ...validateSchedulingGatesUpdate(next.schedulingGates, prev.schedulingGates),
  );
  const munged = withMutableFieldsFrom(next, prev);
  const changed = Object.keys({ ...munged, ...prev }).filter((k) => !semanticEqual(munged[k], prev[k]));
  if (changed.length)
    causes.push(
      fieldError.forbidden('spec', `${SPEC_UPDATE_MESSAGE}\n  changed: ${changed.map((k) => `spec.${k}`).join(', ')}`),
    );
  return causes;
}

export const pods: ResourceType<Pod, 'Pod'> = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  hasStatus: true,
  nameRule: 'subdomain',
  allowUnconditionalUpdate: true,
  schema: PodSchema,
  openapi: podOpenApi,
  strategicMerge: podMergeKeys,
  // The pods bound to a node: the kubelet's and the scheduler's view of a node.
  informerIndexes: { 'spec.nodeName': (pod) => [(pod as Pod).spec.nodeName ?? ''] },
  table: podTable,
  actions: { binding: podBinding },
  connect: podConnect,
  fieldSelectors: {
    'spec.nodeName': (pod) => pod.spec.nodeName ?? '',
    'spec.restartPolicy': (pod) => pod.spec.restartPolicy,
    'spec.schedulerName': (pod) => pod.spec.schedulerName,
    'spec.serviceAccountName': (pod) => pod.spec.serviceAccountName ?? '',
    'spec.hostNetwork': (pod) => formatBool(pod.spec.hostNetwork),
    'status.phase': (pod) => pod.status?.phase ?? '',
    'status.podIP': (pod) => pod.status?.podIP ?? '',
    'status.nominatedNodeName': (pod) => pod.status?.nominatedNodeName ?? '',
  },
  strategy: {
    prepareForCreate(pod) {
      pod.status = { phase: 'Pending', qosClass: podQOSClass(pod.spec) };
      if (pod.spec.schedulingGates?.length) {
        pod.status.conditions = [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'SchedulingGated',
            message: 'Scheduling is blocked due to non-empty scheduling gates',
          },
        ];
      }
    },
    validate: (pod) => validatePodSpec(pod.spec),
    validateUpdate: validatePodUpdate,
  },
};
