import type { IEvent, IWatchCreateRequest, IWatchResponse, WatchClient } from 'etcd3';

/** What one etcd watch reports. After `onCompacted` or `onError` nothing more is called. */
export interface WatchStreamHandlers {
  /** The events of one response, in revision order. */
  onEvents(events: IEvent[]): void;
  /** etcd refused the start revision: it is below etcd's compact revision `compactRevision`. */
  onCompacted(compactRevision: number): void;
  /** The stream failed, ended, or etcd cancelled the watch for another reason. */
  onError(err: Error): void;
}

/**
 * Opens one etcd watch on a gRPC stream of its own, bypassing the etcd3 client's shared
 * WatchManager: that one resumes a broken stream from the last response header's revision, which
 * can skip events still owed to a watch that is catching up, and the backends need to resume
 * from the last event they dispatched instead. Resolves to a function that ends the watch quietly.
 */
export async function openWatchStream(
  client: WatchClient,
  request: IWatchCreateRequest,
  handlers: WatchStreamHandlers,
): Promise<() => void> {
  const stream = await client.watch();
  let done = false;
  const finish = (report?: () => void): void => {
    if (done) return;
    done = true;
    stream.cancel();
    report?.();
  };
  stream.on('data', (res: IWatchResponse) => {
    if (done) return;
    if (res.canceled) {
      const compactRevision = Number(res.compact_revision || 0);
      const reason = res.cancel_reason ? `: ${res.cancel_reason}` : '';
      finish(() =>
        compactRevision > 0
          ? handlers.onCompacted(compactRevision)
          : handlers.onError(new Error(`etcd cancelled the watch${reason}`)),
      );
      return;
    }
    if (res.events && res.events.length > 0) handlers.onEvents(res.events);
  });
  stream.on('error', (err: Error) => finish(() => handlers.onError(err)));
  stream.on('end', () => finish(() => handlers.onError(new Error('etcd ended the watch stream'))));
  stream.write({ create_request: request });
  return () => finish();
}

/** Ends a one-shot watch and reports its outcome; only the first call counts. */
export type SettleWatch = (report: () => void) => void;

/**
 * A watch that lasts until its first outcome: `handlers` receive `settle`, which ends the watch,
 * runs `onSettle` (timers, listeners to remove) and then `report`, all once. Failing to open the
 * watch goes to `onError`. Returns `settle`, for outcomes from outside the watch (a timeout, an abort).
 */
export function watchUntilSettled(
  client: WatchClient,
  request: IWatchCreateRequest,
  handlers: (settle: SettleWatch) => WatchStreamHandlers,
  onSettle: () => void = () => {},
): SettleWatch {
  let cancel: (() => void) | undefined;
  let settled = false;
  const settle: SettleWatch = (report) => {
    if (settled) return;
    settled = true;
    cancel?.();
    onSettle();
    report();
  };
  const h = handlers(settle);
  openWatchStream(client, request, h).then(
    (cancelWatch) => {
      cancel = cancelWatch;
      if (settled) cancelWatch();
    },
    (err: Error) => h.onError(err),
  );
  return settle;
}
