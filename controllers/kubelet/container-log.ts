/**
 * The simulated containers' logs. Nothing runs, so each container's log tells its life as the
 * kubelet's events for it would (pkg/kubelet/events: Pulling, Pulled, Created, Started): these
 * four lines when it starts running, and one line with its exit code when it terminates. Each
 * line is written once per pod incarnation, however often the pod is reconciled.
 */
import type { ObjectKey } from '../../src/runtime/api.js';
import type { Container, Pod, PodStatus } from '../../src/registry/kinds/pod/schema.js';
import type { PodLogWriter, PodRef } from '../../src/podlogs/store.js';

type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type Logged = 'started' | 'exited';

/** Writes nothing: the kubelet of tests that do not read logs. */
export const discardPodLogs: PodLogWriter = { append() {}, exited() {}, remove() {} };

export class ContainerLogs {
  /** What was logged per pod (`namespace/name`) and container, for the pod's current uid. */
  private readonly logged = new Map<string, { uid: string; containers: Map<string, Logged> }>();

  constructor(private readonly logs: PodLogWriter) {}

  /** Logs the container starts and exits `status` shows that were not logged yet; `now` dates lines the status does not. */
  record(pod: Pod, status: PodStatus, now: Date): void {
    const ref: PodRef = { namespace: pod.metadata.namespace!, name: pod.metadata.name!, uid: pod.metadata.uid! };
    const key = `${ref.namespace}/${ref.name}`;
    let seen = this.logged.get(key);
    if (seen?.uid !== ref.uid) this.logged.set(key, (seen = { uid: ref.uid, containers: new Map() }));
    const specs = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    for (const s of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
      const spec = specs.find((c) => c.name === s.name);
      if (spec) this.recordContainer(ref, spec, s, seen.containers, now);
    }
  }

  /** Forgets a pod that is gone, and its logs. */
  forget(key: ObjectKey): void {
    const namespace = key.namespace ?? '';
    this.logged.delete(`${namespace}/${key.name}`);
    this.logs.remove({ namespace, name: key.name });
  }

  private recordContainer(
    ref: PodRef,
    spec: Container,
    status: ContainerStatus,
    seen: Map<string, Logged>,
    now: Date,
  ): void {
    const { running, terminated } = status.state ?? {};
    if (!running && !terminated) return;
    const name = spec.name;
    if (!seen.has(name)) {
      const at = dateOr(running?.startedAt ?? terminated?.startedAt, now);
      const image = spec.image ?? '';
      for (const text of [
        `Pulling image "${image}"`,
        `Successfully pulled image "${image}"`,
        `Created container ${name}`,
        `Started container ${name}`,
      ])
        this.logs.append(ref, name, text, at);
      seen.set(name, 'started');
    }
    if (terminated && seen.get(name) !== 'exited') {
      const reason = terminated.reason ? ` (${terminated.reason})` : '';
      const text = `Container ${name} exited with code ${terminated.exitCode}${reason}`;
      this.logs.exited(ref, name, text, dateOr(terminated.finishedAt, now));
      seen.set(name, 'exited');
    }
  }
}

function dateOr(timestamp: string | undefined, fallback: Date): Date {
  const at = timestamp ? new Date(timestamp) : fallback;
  return Number.isNaN(at.getTime()) ? fallback : at;
}
