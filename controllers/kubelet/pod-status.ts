/**
 * The status a kubelet reports for a pod whose containers it "runs": phase, IPs, container
 * statuses and the five pod conditions, in the kubelet's order and with its reasons
 * (pkg/kubelet/status/generate.go). Pure: the same pod, sandbox and time give the same status, and
 * times already reported are kept, so recomputing an unchanged pod changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Container, Pod, PodCondition, PodStatus } from '../../src/registry/kinds/pod/schema.js';
import { mergeConditions } from '../common/conditions.js';

/** Annotation forcing a phase: `Pending` (sandbox not created yet, no IP), `Succeeded` or `Failed`. */
const PHASE_ANNOTATION = 'kplane.io/phase';
/** Annotation `"false"` keeping a running pod not ready (its readiness probe "fails"). */
export const READY_ANNOTATION = 'kplane.io/ready';

export type SimulatedPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

const FORCEABLE = new Set(['Pending', 'Succeeded', 'Failed']);

/** The phase the annotations ask for: `Running` unless `kplane.io/phase` names another known phase. */
export function simulatedPhase(pod: Pod): SimulatedPhase {
  const wanted = pod.metadata.annotations?.[PHASE_ANNOTATION] ?? '';
  return FORCEABLE.has(wanted) ? (wanted as SimulatedPhase) : 'Running';
}

/** Where the pod runs: the node's address, and the pod's own address once its sandbox exists. */
export interface Sandbox {
  hostIP: string;
  podIP?: string;
}

type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/** Go's `%s` of a []string, as kubelet messages print container lists: `[a b]`. */
function goList(names: readonly string[]): string {
  return `[${names.join(' ')}]`;
}

interface ContainerFacts {
  pod: Pod;
  previous: ContainerStatus | undefined;
  now: string;
}

/** Fields every container status has; `startedAt` is kept from an earlier report. */
function baseStatus(c: Container, facts: ContainerFacts) {
  const image = c.image ?? '';
  return {
    name: c.name,
    image,
    imageID: `sha256:${digest(image)}`,
    containerID: `containerd://${digest(`${facts.pod.metadata.uid ?? ''}/${c.name}`)}`,
    restartCount: 0,
    lastState: {},
  };
}

function startedAt(facts: ContainerFacts): string {
  const state = facts.previous?.state as
    { running?: { startedAt?: string }; terminated?: { startedAt?: string } } | undefined;
  return state?.running?.startedAt ?? state?.terminated?.startedAt ?? facts.now;
}

function finishedAt(facts: ContainerFacts): string {
  const state = facts.previous?.state as { terminated?: { finishedAt?: string } } | undefined;
  return state?.terminated?.finishedAt ?? facts.now;
}

function running(c: Container, facts: ContainerFacts, ready: boolean): ContainerStatus {
  return { ...baseStatus(c, facts), state: { running: { startedAt: startedAt(facts) } }, ready, started: true };
}

/** Not created yet: no container id, and no image id until the image is pulled. */
function waiting(c: Container, facts: ContainerFacts): ContainerStatus {
  const { containerID: _none, ...base } = baseStatus(c, facts);
  return { ...base, imageID: '', state: { waiting: { reason: 'ContainerCreating' } }, ready: false, started: false };
}

function terminated(c: Container, facts: ContainerFacts, exitCode: number, ready = false): ContainerStatus {
  const reason = exitCode === 0 ? 'Completed' : 'Error';
  const state = {
    terminated: {
      exitCode,
      reason,
      startedAt: startedAt(facts),
      finishedAt: finishedAt(facts),
      containerID: baseStatus(c, facts).containerID,
    },
  };
  return { ...baseStatus(c, facts), state, ready, started: false };
}

function regularStatus(c: Container, phase: SimulatedPhase, ready: boolean, facts: ContainerFacts): ContainerStatus {
  switch (phase) {
    case 'Pending':
      return waiting(c, facts);
    case 'Running':
      return running(c, facts, ready);
    case 'Succeeded':
      return terminated(c, facts, 0);
    case 'Failed':
      return terminated(c, facts, 1);
  }
}

/** Init containers: regular ones ran to completion (and count as ready), sidecars keep running. */
function initStatus(c: Container, phase: SimulatedPhase, ready: boolean, facts: ContainerFacts): ContainerStatus {
  if (phase === 'Pending') return waiting(c, facts);
  if (isSidecar(c) && phase === 'Running') return running(c, facts, ready);
  return terminated(c, facts, 0, !isSidecar(c));
}

function condition(type: string, status: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: status ? 'True' : 'False', ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** ContainersReady as generate.go computes it (Ready mirrors it: there are no readiness gates here). */
function containersReady(pod: Pod, phase: SimulatedPhase, statuses: readonly ContainerStatus[]): PodCondition {
  if (phase === 'Succeeded') return condition('ContainersReady', false, 'PodCompleted');
  if (phase === 'Failed') return condition('ContainersReady', false, 'PodFailed');
  const sidecars = (pod.spec.initContainers ?? []).filter(isSidecar).map((c) => c.name);
  const unready = [...sidecars, ...pod.spec.containers.map((c) => c.name)].filter(
    (name) => !statuses.find((s) => s.name === name)?.ready,
  );
  return unready.length
    ? condition('ContainersReady', false, 'ContainersNotReady', `containers with unready status: ${goList(unready)}`)
    : condition('ContainersReady', true);
}

function initialized(pod: Pod, phase: SimulatedPhase): PodCondition {
  if (phase === 'Succeeded') return condition('Initialized', true, 'PodCompleted');
  const pendingInit = phase === 'Pending' ? (pod.spec.initContainers ?? []).map((c) => c.name) : [];
  return pendingInit.length
    ? condition(
        'Initialized',
        false,
        'ContainersNotInitialized',
        `containers with incomplete status: ${goList(pendingInit)}`,
      )
    : condition('Initialized', true);
}

function podConditions(pod: Pod, phase: SimulatedPhase, statuses: readonly ContainerStatus[]): PodCondition[] {
  const ready = containersReady(pod, phase, statuses);
  return [
    condition('PodReadyToStartContainers', phase === 'Running'),
    initialized(pod, phase),
    { ...ready, type: 'Ready' },
    ready,
    condition('PodScheduled', true),
  ];
}

/**
 * The status to report for `pod` in `phase` on the node at `sandbox.hostIP`. Fields other writers
 * own (qosClass, nominatedNodeName, conditions of other types) are kept.
 */
export function desiredPodStatus(pod: Pod, phase: SimulatedPhase, sandbox: Sandbox, now: string): PodStatus {
  const previous = pod.status ?? {};
  const ready = pod.metadata.annotations?.[READY_ANNOTATION] !== 'false';
  const facts = (list: readonly ContainerStatus[] | undefined, name: string): ContainerFacts => ({
    pod,
    previous: list?.find((s) => s.name === name),
    now,
  });
  const containerStatuses = pod.spec.containers.map((c) =>
    regularStatus(c, phase, ready, facts(previous.containerStatuses, c.name)),
  );
  const inits = pod.spec.initContainers?.map((c) =>
    initStatus(c, phase, ready, facts(previous.initContainerStatuses, c.name)),
  );
  const status: PodStatus = {
    ...previous,
    phase,
    conditions: mergeConditions(
      previous.conditions,
      podConditions(pod, phase, [...(inits ?? []), ...containerStatuses]),
      now,
    ),
    hostIP: sandbox.hostIP,
    hostIPs: [{ ip: sandbox.hostIP }],
    startTime: previous.startTime ?? now,
    containerStatuses,
  };
  if (inits) status.initContainerStatuses = inits;
  if (sandbox.podIP) {
    status.podIP = sandbox.podIP;
    status.podIPs = [{ ip: sandbox.podIP }];
  } else {
    delete status.podIP;
    delete status.podIPs;
  }
  return status;
}
