import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { eventually } from './eventually.js';

export interface WatchEvent {
  type: string;
  object: any;
}

/**
 * A raw chunked-HTTP watch client: collects events as they arrive, resolves `headers` as soon as
 * the response head arrives (before any event), and `ended` when the server closes the stream.
 */
export class HttpWatch {
  readonly events: WatchEvent[] = [];
  readonly blankLines: number[] = [];
  readonly headers: Promise<http.IncomingMessage>;
  readonly ended: Promise<void>;
  private req: http.ClientRequest;

  constructor(url: string) {
    let resolveHeaders!: (r: http.IncomingMessage) => void;
    let resolveEnd!: () => void;
    this.headers = new Promise((r) => (resolveHeaders = r));
    this.ended = new Promise((r) => (resolveEnd = r));
    this.req = http.get(url, (res) => {
      resolveHeaders(res);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() === '') this.blankLines.push(Date.now());
          else this.events.push(JSON.parse(line));
        }
      });
      res.on('end', () => resolveEnd());
      res.on('error', () => resolveEnd());
    });
    this.req.on('error', () => resolveEnd());
  }

  /** Resolves once at least `n` events arrived; rejects after `timeoutMs`. */
  async waitFor(n: number, timeoutMs = 3000): Promise<WatchEvent[]> {
    await eventually(
      async () =>
        assert.ok(
          this.events.length >= n,
          `timed out waiting for ${n} events, got ${JSON.stringify(this.events.map((e) => e.type))}`,
        ),
      timeoutMs,
      10,
    );
    return this.events;
  }

  close(): void {
    this.req.destroy();
  }
}

/** Opens a WebSocket watch and collects one event per message. */
export async function openWsWatch(
  url: string,
  protocols?: string[],
  headers?: Record<string, string>,
): Promise<{ ws: WebSocket; events: WatchEvent[] }> {
  const ws = new WebSocket(url, protocols, { headers });
  const events: WatchEvent[] = [];
  ws.on('message', (data) => events.push(JSON.parse(String(data))));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected response ${res.statusCode}`)));
  });
  return { ws, events };
}
