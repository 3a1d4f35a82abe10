import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Runs `total` requests from `concurrency` keep-alive clients (each waits for its previous answer)
 * and measures throughput and latency percentiles. `body(i)` builds the i-th request body.
 */
export async function runLoad(opts: {
  url: string;
  method: string;
  concurrency: number;
  total: number;
  body?: (i: number) => string;
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const payload = opts.body?.(i);
      const started = performance.now();
      const req = http.request(
        opts.url,
        {
          method: opts.method,
          agent,
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - started);
            if ((res.statusCode ?? 500) >= 300) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(payload);
    });
  const worker = async () => {
    for (let i = next++; i < opts.total; i = next++) await one(i);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return { requests: opts.total, errors, seconds, perSecond: opts.total / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99) };
}

/** Times one GET (ms), reading the whole body. */
export async function timeGet(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => resolve({ ms: performance.now() - started, bytes, status: res.statusCode ?? 0 }));
      })
      .on('error', reject);
  });
}
