/**
 * The simulated containers' logs: kept in memory beside the dataplane, never in storage (a real
 * cluster keeps them on the node, not in etcd), so they last as long as the server process.
 */

/** One pod incarnation: a pod deleted and created again under the same name has another uid. */
export interface PodRef {
  namespace: string;
  name: string;
  uid: string;
}

/** One log line and when it was written. */
export interface LogLine {
  at: Date;
  text: string;
}

/**
 * What the simulated kubelet writes through. Lines of one container arrive in time order;
 * `exited` writes the container's last line; `remove` forgets a pod that is gone.
 */
export interface PodLogWriter {
  append(pod: PodRef, container: string, text: string, at: Date): void;
  /** Writes the container's last line: its log is complete and followers stop. */
  exited(pod: PodRef, container: string, text: string, at: Date): void;
  /** Forgets the pod's logs (it was deleted); followers stop. */
  remove(pod: Pick<PodRef, 'namespace' | 'name'>): void;
}

/** A follower's view: each new line, then `end` once when the log can grow no more. */
export interface LogFollower {
  line(line: LogLine): void;
  end(): void;
}

/** What the log endpoint reads. */
export interface PodLogReader {
  /** The container's lines so far, and whether it has exited; undefined when it never wrote any. */
  read(pod: PodRef, container: string): { lines: readonly LogLine[]; exited: boolean } | undefined;
  /**
   * Calls `follower` for every line written from now on to the container's log, until it exits or
   * the pod is removed; returns a function that stops following.
   */
  follow(pod: PodRef, container: string, follower: LogFollower): () => void;
}

interface ContainerLog {
  lines: LogLine[];
  exited: boolean;
  followers: Set<LogFollower>;
}

interface PodLogs {
  uid: string;
  containers: Map<string, ContainerLog>;
}

/** The in-memory log store the server keeps: the kubelet writes, `pods/<name>/log` reads. */
export class PodLogStore implements PodLogWriter, PodLogReader {
  private readonly pods = new Map<string, PodLogs>();

  append(pod: PodRef, container: string, text: string, at: Date): void {
    const log = this.containerLog(pod, container, true)!;
    if (log.exited) return;
    const line = { at, text };
    log.lines.push(line);
    for (const f of log.followers) f.line(line);
  }

  exited(pod: PodRef, container: string, text: string, at: Date): void {
    this.append(pod, container, text, at);
    const log = this.containerLog(pod, container, false)!;
    log.exited = true;
    endAll(log);
  }

  remove(pod: Pick<PodRef, 'namespace' | 'name'>): void {
    const key = keyOf(pod);
    const logs = this.pods.get(key);
    if (!logs) return;
    this.pods.delete(key);
    for (const log of logs.containers.values()) endAll(log);
  }

  read(pod: PodRef, container: string) {
    const log = this.containerLog(pod, container, false);
    return log && { lines: log.lines, exited: log.exited };
  }

  follow(pod: PodRef, container: string, follower: LogFollower): () => void {
    const log = this.containerLog(pod, container, true)!;
    if (log.exited) {
      follower.end();
      return () => undefined;
    }
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }

  /** The container's log; with `create`, made (and an older incarnation of the pod dropped) when missing. */
  private containerLog(pod: PodRef, container: string, create: boolean): ContainerLog | undefined {
    const key = keyOf(pod);
    let logs = this.pods.get(key);
    if (logs?.uid !== pod.uid) {
      if (!create) return undefined;
      if (logs) this.remove(pod);
      logs = { uid: pod.uid, containers: new Map() };
      this.pods.set(key, logs);
    }
    let log = logs.containers.get(container);
    if (!log && create) logs.containers.set(container, (log = { lines: [], exited: false, followers: new Set() }));
    return log;
  }
}

function keyOf(pod: Pick<PodRef, 'namespace' | 'name'>): string {
  return `${pod.namespace}/${pod.name}`;
}

function endAll(log: ContainerLog): void {
  const followers = [...log.followers];
  log.followers.clear();
  for (const f of followers) f.end();
}
