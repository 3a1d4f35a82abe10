import { errors, StatusError } from '../apimachinery/errors.js';
import type { ListQuery } from '../registry/list-options.js';
import { apiVersionOf } from '../registry/resource.js';
import type { Registry } from '../registry/store.js';
import type { ResourcePath } from './path.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { WatchOutput } from '../watch/event.js';
import { bookmarkOutput, pumpWatch, type EventSink } from './watch-stream.js';

/** A transport that becomes an EventSink once the stream is admitted (headers flushed). */
export interface WatchTransport {
  kind: 'http' | 'websocket';
  start(): EventSink;
  /** How events are written (default: the event with the object's cached JSON). */
  encode?: (out: WatchOutput) => string;
}

/** Server-side timing of watch streams. */
export interface WatchTiming {
  /** Without timeoutSeconds a watch ends after a random time in [min, 2·min] (upstream: 30–60 min), so clients re-watch. */
  minServerTimeoutMs: number;
  /** BOOKMARK interval for clients that allow them (upstream: about a minute). */
  bookmarkIntervalMs: number;
  /** Keep-alive newline interval on idle streams (client-node aborts after 30 s of silence). */
  heartbeatMs: number;
}

export const defaultWatchTiming: WatchTiming = {
  minServerTimeoutMs: 30 * 60_000,
  bookmarkIntervalMs: 60_000,
  heartbeatMs: 10_000,
};

/**
 * Serves one watch request. Request errors (bad selector, bad sendInitialEvents combination) are
 * thrown before the stream starts and become ordinary Status responses; a resourceVersion too old
 * for the history is, as in kube-apiserver, one ERROR event with a 410 Expired Status, then the end
 * of the stream (client-node relists only when the stream ends).
 */
export async function openWatch(
  registry: Registry,
  target: ResourcePath,
  q: ListQuery,
  transport: WatchTransport,
  timing: WatchTiming = defaultWatchTiming,
): Promise<void> {
  checkWatchListParams(q);
  await registry.waitForRevision(q.resourceVersion);
  const { rt, namespace } = target;
  let watcher;
  try {
    watcher = registry.watch(rt, namespace, q);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 410)) throw err;
    const sink = transport.start();
    sink.write(JSON.stringify({ type: 'ERROR', object: err.toStatus() }));
    sink.end();
    return;
  }
  const bookmark = (revision: number, annotations?: Record<string, string>): KubeObject => ({
    kind: rt.kind,
    apiVersion: apiVersionOf(rt),
    metadata: { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) },
  });
  if (q.sendInitialEvents) {
    const revision = registry.currentRevision;
    const object = bookmark(revision, { 'k8s.io/initial-events-end': 'true' });
    watcher.enqueue(bookmarkOutput(object, revision));
  }
  const timeoutMs =
    q.timeoutSeconds !== undefined ? q.timeoutSeconds * 1000 : timing.minServerTimeoutMs * (1 + Math.random());
  await pumpWatch(watcher, transport.start(), {
    timeoutMs,
    bookmarkIntervalMs: q.allowWatchBookmarks ? timing.bookmarkIntervalMs : 0,
    heartbeatMs: timing.heartbeatMs,
    bookmark,
    encode: transport.encode,
  });
}

/** The watch-list rules of kube-apiserver's ValidateListOptions. */
function checkWatchListParams(q: ListQuery): void {
  const invalid = (field: string, message: string) =>
    errors.invalid('ListOptions', 'meta.k8s.io', '', [
      { reason: 'FieldValueForbidden', message: `Forbidden: ${message}`, field },
    ]);
  if (q.sendInitialEvents !== undefined) {
    if (q.resourceVersionMatch !== 'NotOlderThan')
      throw invalid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    if (q.sendInitialEvents && !q.allowWatchBookmarks)
      throw invalid('allowWatchBookmarks', 'allowWatchBookmarks must be set to true when sendInitialEvents is true');
  } else if (q.resourceVersionMatch !== undefined) {
    throw invalid(
      'resourceVersionMatch',
      'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
  }
}
