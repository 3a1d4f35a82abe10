import type { KubeObject } from '../apimachinery/object.js';
import type { WatchOutput } from '../watch/event.js';
import type { CacheWatcher } from '../watch/watcher.js';

/** Where watch events go: a chunked HTTP response or a WebSocket. */
export interface EventSink {
  /** Writes one frame; false means the transport is buffering and the pump should wait for `drained`. */
  write(text: string): boolean;
  drained(): Promise<void>;
  /** Writes a keep-alive that clients ignore (a bare newline on HTTP). */
  heartbeat(): void;
  end(): void;
  /** Registers the callback run when the client goes away. */
  onClientGone(cb: () => void): void;
}

export interface PumpOptions {
  /** Close the stream after this long (timeoutSeconds, or the server's jittered cap). */
  timeoutMs: number;
  /** Send a BOOKMARK this often when the client allowed bookmarks; 0 = never. */
  bookmarkIntervalMs: number;
  /** Idle keep-alive interval (client-node aborts watches silent for 30 s). */
  heartbeatMs: number;
  /** Builds a BOOKMARK object for the watched kind at a revision. */
  bookmark(revision: number): KubeObject;
  /** Wire form of one event (default `encodeEvent`); Table watches convert the object here. */
  encode?: (out: WatchOutput) => string;
}

/** A BOOKMARK as a watcher output, queued in order with the live events. */
export function bookmarkOutput(object: KubeObject, revision: number): WatchOutput {
  return { type: 'BOOKMARK', revision, object, json: () => JSON.stringify(object) };
}

/** The wire form of one event: `{"type":…,"object":…}`, reusing the object's cached JSON. */
export function encodeEvent(out: WatchOutput): string {
  return `{"type":"${out.type}","object":${out.json()}}`;
}

/**
 * Moves events from a watcher to a sink until the watcher closes, the timeout passes or the client
 * leaves; then releases everything. A client that cannot keep up is not waited for forever: its
 * watcher's bounded queue overflows and closes it (it resumes from its last resourceVersion).
 */
export async function pumpWatch(watcher: CacheWatcher, sink: EventSink, opts: PumpOptions): Promise<void> {
  const encode = opts.encode ?? encodeEvent;
  let lastWrite = Date.now();
  const timers: NodeJS.Timeout[] = [];
  const stop = () => watcher.close();
  sink.onClientGone(stop);
  timers.push(setTimeout(stop, opts.timeoutMs));
  timers.push(
    setInterval(
      () => {
        if (Date.now() - lastWrite >= opts.heartbeatMs) {
          sink.heartbeat();
          lastWrite = Date.now();
        }
      },
      Math.max(50, Math.floor(opts.heartbeatMs / 2)),
    ),
  );
  if (opts.bookmarkIntervalMs > 0) {
    timers.push(
      setInterval(() => {
        const revision = watcher.revision;
        watcher.enqueue(bookmarkOutput(opts.bookmark(revision), revision));
      }, opts.bookmarkIntervalMs),
    );
  }
  try {
    for (let out = await watcher.next(); out; out = await watcher.next()) {
      lastWrite = Date.now();
      if (!sink.write(encode(out))) await sink.drained();
    }
  } finally {
    for (const t of timers) clearTimeout(t);
    watcher.close();
    sink.end();
  }
}
