import type { WatchClient } from 'etcd3';
import { fromEtcdRevision, toEtcdRevision, type EtcdKeyLayout } from './etcd-codec.js';
import { CompactedError, type StorageEvent } from './interface.js';
import { watchUntilSettled } from './etcd-watch.js';
import type { ReplaySink } from './notifier.js';

/**
 * Replays the events with backend revision in (`afterRevision`, `upTo`] into `sink`, from etcd's
 * history through a watch of its own; resolves once they are all delivered or `signal` aborts.
 *
 * `upTo` must be the revision of an event under the data range (the main stream's position): the
 * replay watches the whole data range, so that event is bound to arrive and marks the end, without
 * relying on etcd progress notifications (etcd 3.4.23, Debian's, can send those ahead of events).
 *
 * The watch starts at `afterRevision`'s own etcd revision, one before the first event wanted: etcd
 * then refuses it exactly when `afterRevision` is below the backend's compact revision, which is
 * etcd's minus one (compaction at etcd revision c keeps c, so events from c + 1 come with prevKv).
 */
export function replayHistory(
  client: WatchClient,
  layout: EtcdKeyLayout,
  range: { afterRevision: number; upTo: number },
  sink: ReplaySink,
  signal: AbortSignal,
): Promise<void> {
  const { afterRevision, upTo } = range;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve();
    const request = { ...layout.dataRange, start_revision: toEtcdRevision(afterRevision), prev_kv: true };
    const onAbort = (): void => settle(resolve);
    const settle = watchUntilSettled(
      client,
      request,
      (settle) => ({
        onEvents: (raw) => {
          const events: StorageEvent[] = raw.map((e) => layout.decodeEvent(e));
          const wanted = events.filter((e) => e.revision > afterRevision && e.revision <= upTo);
          if (wanted.length > 0) sink(wanted);
          if (events[events.length - 1].revision >= upTo) settle(resolve);
        },
        onCompacted: (compactRevision) =>
          settle(() => reject(new CompactedError(afterRevision, fromEtcdRevision(compactRevision)))),
        onError: (err) => settle(() => reject(err)),
      }),
      () => signal.removeEventListener('abort', onAbort),
    );
    signal.addEventListener('abort', onAbort);
  });
}

/**
 * etcd's compact revision, asked by watching the marker from revision 1; only call it once etcd
 * has said that something is compacted, since etcd answers only then. Rejects after `timeoutMs`.
 */
export function probeCompactRevision(client: WatchClient, layout: EtcdKeyLayout, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const settle = watchUntilSettled(
      client,
      { key: layout.marker, start_revision: 1 },
      (settle) => ({
        onEvents: () =>
          settle(() => reject(new Error('etcd streamed the marker from revision 1: nothing is compacted'))),
        onCompacted: (compactRevision) => settle(() => resolve(compactRevision)),
        onError: (err) => settle(() => reject(err)),
      }),
      () => clearTimeout(timer),
    );
    const timer = setTimeout(
      () => settle(() => reject(new Error(`etcd did not report its compact revision within ${timeoutMs} ms`))),
      timeoutMs,
    );
  });
}
