import { errors } from '../apimachinery/errors.js';
import type { ConnectHandler, ConnectHandlerLookup, ConnectResult, ConnectStream } from '../http/connect-route.js';
import { pods } from '../registry/kinds/pod/index.js';
import type { Container, Pod } from '../registry/kinds/pod/schema.js';
import { parsePodLogOptions, type PodLogOptions } from './options.js';
import type { LogLine, PodLogReader, PodRef } from './store.js';

/**
 * `GET pods/<name>/log`: the container's log as plain text, checked as kube-apiserver
 * (pkg/registry/core/pod/strategy.go LogLocation) and the kubelet (validateContainerLogStatus,
 * pkg/kubelet/kubelet_pods.go) check it, with their 400 messages. `follow` keeps the response open
 * until the container exits, the pod is deleted or the client goes.
 */
export function podLogHandler(logs: PodLogReader, now: () => Date = () => new Date()): ConnectHandler {
  return ({ object, query }) => {
    const pod = object as Pod;
    const name = pod.metadata.name!;
    const opts = parsePodLogOptions(query, name);
    const container = chosenContainer(pod, opts.container);
    if (!pod.spec.nodeName) return { contentType: 'text/plain', body: '' };
    checkContainerStatus(pod, container, opts.previous);
    const ref: PodRef = { namespace: pod.metadata.namespace!, name, uid: pod.metadata.uid! };
    const log = logs.read(ref, container);
    const budget = new ByteBudget(opts.limitBytes);
    const body = budget.take(
      selected(log?.lines ?? [], opts, now())
        .map((l) => format(l, opts))
        .join(''),
    );
    const result: ConnectResult = { contentType: 'text/plain', body };
    if (opts.follow && !log?.exited && !budget.spent)
      result.follow = (out) => follow(logs, ref, container, opts, budget, out);
    return result;
  };
}

function follow(
  logs: PodLogReader,
  ref: PodRef,
  container: string,
  opts: PodLogOptions,
  budget: ByteBudget,
  out: ConnectStream,
): void {
  let open = true;
  // The store drops its followers itself when the log ends; `close` is for the other ways out.
  const close = () => {
    open = false;
    unsubscribe();
  };
  const unsubscribe = logs.follow(ref, container, {
    line(l) {
      if (!open) return;
      out.write(budget.take(format(l, opts)));
      if (!budget.spent) return;
      close();
      out.end();
    },
    end() {
      if (!open) return;
      open = false;
      out.end();
    },
  });
  out.onClientGone(close);
}

/** The container the request names, or the only one; upstream's 400s otherwise. */
function chosenContainer(pod: Pod, requested: string | undefined): string {
  const name = pod.metadata.name!;
  const names = (list: readonly Container[] | undefined) => (list ?? []).map((c) => c.name);
  if (requested === undefined) {
    const containers = names(pod.spec.containers);
    if (containers.length === 1) return containers[0];
    const inits = names(pod.spec.initContainers);
    let message = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (inits.length) message += ` or one of the init containers: [${inits.join(' ')}]`;
    throw errors.badRequest(message);
  }
  const all = [
    ...names(pod.spec.containers),
    ...names(pod.spec.initContainers),
    ...names(pod.spec.ephemeralContainers as Container[] | undefined),
  ];
  if (!all.includes(requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

/** The kubelet's checks of the container's status before it reads a log. */
function checkContainerStatus(pod: Pod, container: string, previous: boolean): void {
  const status = pod.status ?? {};
  const found = [
    ...(status.containerStatuses ?? []),
    ...(status.initContainerStatuses ?? []),
    ...(status.ephemeralContainerStatuses ?? []),
  ].find((s) => s.name === container);
  const where = `container "${container}" in pod "${pod.metadata.name}"`;
  if (!found) throw errors.badRequest(`${where} is not available`);
  if (previous) {
    // Simulated containers never restart, so none has a previous terminated instance to read.
    throw errors.badRequest(`previous terminated ${where} not found`);
  }
  const waiting = found.state?.waiting;
  if (!found.state?.running && !found.state?.terminated && waiting)
    throw errors.badRequest(`${where} is waiting to start: ${waiting.reason ?? ''}`);
}

/** The lines `sinceSeconds`/`sinceTime` and then `tailLines` keep. */
function selected(lines: readonly LogLine[], opts: PodLogOptions, now: Date): readonly LogLine[] {
  const since =
    opts.sinceTime ??
    (opts.sinceSeconds !== undefined ? new Date(now.getTime() - opts.sinceSeconds * 1000) : undefined);
  const recent = since ? lines.filter((l) => l.at >= since) : lines;
  return opts.tailLines === undefined ? recent : recent.slice(Math.max(0, recent.length - opts.tailLines));
}

/** A line as the kubelet prints it; with timestamps, prefixed by its RFC 3339 time in nanoseconds. */
function format(line: LogLine, opts: PodLogOptions): string {
  if (!opts.timestamps) return `${line.text}\n`;
  return `${line.at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} ${line.text}\n`;
}

/** `limitBytes`: what is left to send; the response ends once it is spent. */
class ByteBudget {
  private left: number;
  constructor(limit: number | undefined) {
    this.left = limit ?? Infinity;
  }

  get spent(): boolean {
    return this.left <= 0;
  }

  take(text: string): string {
    if (this.left === Infinity) return text;
    const bytes = Buffer.from(text);
    const kept = bytes.subarray(0, Math.max(0, this.left));
    this.left -= kept.length;
    return kept.toString();
  }
}

/** The connect handlers the log store serves: `pods/<name>/log`. */
export function podLogHandlers(logs: PodLogReader): ConnectHandlerLookup {
  const handler = podLogHandler(logs);
  return (rt, subresource) => (rt === pods && subresource === 'log' ? handler : undefined);
}
