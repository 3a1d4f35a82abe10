/** How Pods print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, humanDuration, nameColumn, type TableConvertor } from '../../table.js';
import type { Pod, PodStatus } from './schema.js';

type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];

/** What the container statuses add up to: ready count, restarts, last restart and the STATUS reason. */
interface PodSummary {
  ready: number;
  restarts: number;
  /** Latest `lastState.terminated.finishedAt` among the counted containers (ms; 0 = none). */
  lastRestartMs: number;
  reason: string;
}

function finishedAtMs(cs: ContainerStatus): number {
  const at = cs.lastState?.terminated?.finishedAt;
  return at ? Date.parse(at) : 0;
}

function conditionIs(pod: Pod, type: string, status = 'True'): boolean {
  return (pod.status?.conditions ?? []).find((c) => c.type === type)?.status === status;
}

/** Why a terminated container stopped: its reason, else `Signal:N` / `ExitCode:N` (with `prefix`). */
function terminationReason(
  t: NonNullable<NonNullable<ContainerStatus['state']>['terminated']>,
  prefix: string,
): string {
  if (t.reason) return `${prefix}${t.reason}`;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

/**
 * Walks the init containers in order. Returns the STATUS reason while one is still initializing
 * (`Init:0/2`, `Init:CrashLoopBackOff`), plus the restarts of all of them and of the sidecars.
 */
function initContainersSummary(pod: Pod, summary: PodSummary) {
  const specs = pod.spec.initContainers ?? [];
  const isSidecar = (name: string) => specs.find((c) => c.name === name)?.restartPolicy === 'Always';
  const sidecars = { restarts: 0, lastRestartMs: 0 };
  let initializing = false;
  for (const [i, cs] of (pod.status?.initContainerStatuses ?? []).entries()) {
    summary.restarts += cs.restartCount;
    summary.lastRestartMs = Math.max(summary.lastRestartMs, finishedAtMs(cs));
    if (isSidecar(cs.name)) {
      sidecars.restarts += cs.restartCount;
      sidecars.lastRestartMs = Math.max(sidecars.lastRestartMs, finishedAtMs(cs));
    }
    const state = cs.state ?? {};
    if (state.terminated && state.terminated.exitCode === 0) continue;
    if (isSidecar(cs.name) && cs.started) {
      if (cs.ready) summary.ready++;
      continue;
    }
    initializing = true;
    if (state.terminated) summary.reason = terminationReason(state.terminated, 'Init:');
    else if (state.waiting?.reason && state.waiting.reason !== 'PodInitializing')
      summary.reason = `Init:${state.waiting.reason}`;
    else summary.reason = `Init:${i}/${specs.length}`;
    break;
  }
  return { initializing, sidecars };
}

/** Regular containers, last first as upstream walks them, so the first container's state wins. */
function containersSummary(pod: Pod, summary: PodSummary): void {
  let hasRunning = false;
  for (const cs of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    summary.restarts += cs.restartCount;
    summary.lastRestartMs = Math.max(summary.lastRestartMs, finishedAtMs(cs));
    const state = cs.state ?? {};
    if (state.waiting?.reason) summary.reason = state.waiting.reason;
    else if (state.terminated) summary.reason = terminationReason(state.terminated, '');
    else if (cs.ready && state.running) {
      hasRunning = true;
      summary.ready++;
    }
  }
  if (summary.reason === 'Completed' && hasRunning) summary.reason = conditionIs(pod, 'Ready') ? 'Running' : 'NotReady';
}

function summarizePod(pod: Pod): PodSummary {
  const phase = pod.status?.phase ?? '';
  const gated = (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated');
  const summary: PodSummary = {
    ready: 0,
    restarts: 0,
    lastRestartMs: 0,
    reason: gated ? 'SchedulingGated' : pod.status?.reason || phase,
  };
  const { initializing, sidecars } = initContainersSummary(pod, summary);
  if (!initializing || conditionIs(pod, 'Initialized')) {
    summary.restarts = sidecars.restarts;
    summary.lastRestartMs = sidecars.lastRestartMs;
    containersSummary(pod, summary);
  }
  if (pod.metadata.deletionTimestamp) {
    if (pod.status?.reason === 'NodeLost') summary.reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') summary.reason = 'Terminating';
  }
  return summary;
}

/** `2/3`: readiness gates whose condition is True, or `<none>`. */
function readinessGates(pod: Pod): string {
  const gates = pod.spec.readinessGates ?? [];
  if (!gates.length) return '<none>';
  const passed = gates.filter(
    (g) => (pod.status?.conditions ?? []).find((c) => c.type === g.conditionType)?.status === 'True',
  );
  return `${passed.length}/${gates.length}`;
}

/** Sidecar init containers count among a pod's containers. */
function containerCount(pod: Pod): number {
  return (
    pod.spec.containers.length + (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').length
  );
}

export const podTable: TableConvertor<Pod> = {
  columns: [
    nameColumn(),
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    ageColumn,
    column('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', {
      wide: true,
    }),
    column('Node', 'The node the pod is bound to.', { wide: true }),
    column('Nominated Node', 'The node on which preemption made room for the pod.', { wide: true }),
    column('Readiness Gates', 'Pod readiness gates: conditions that must also be True for the pod to be ready.', {
      wide: true,
    }),
  ],
  cells(pod, nowMs) {
    const s = summarizePod(pod);
    const restarts =
      s.restarts !== 0 && s.lastRestartMs
        ? `${s.restarts} (${humanDuration(nowMs - s.lastRestartMs)} ago)`
        : String(s.restarts);
    return [
      pod.metadata.name ?? '',
      `${s.ready}/${containerCount(pod)}`,
      s.reason,
      restarts,
      age(pod, nowMs),
      pod.status?.podIPs?.[0]?.ip || '<none>',
      pod.spec.nodeName || '<none>',
      pod.status?.nominatedNodeName || '<none>',
      readinessGates(pod),
    ];
  },
};
