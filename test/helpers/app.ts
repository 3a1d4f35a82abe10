import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { WatchTiming } from '../../src/http/watch-route.js';
import type { ConnectHandlerLookup } from '../../src/http/connect-route.js';
import { startCore, type Core } from '../../src/server.js';
import type { HistoryLimits } from '../../src/watch/history.js';

export interface TestApp {
  core: Core;
  app: FastifyInstance;
  close(): Promise<void>;
}

export interface TestAppOptions {
  history?: Partial<HistoryLimits>;
  watchTiming?: WatchTiming;
  /** Connect subresource handlers (`podLogHandlers(store)` for `pods/<name>/log`). */
  connect?: ConnectHandlerLookup;
}

/** An in-memory core plus its HTTP app (no auth): requests go through `app.inject`, or `app.listen` for streams. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const core = await startCore({ storage: 'memory', dataDir: '', syncWrites: false, history: opts.history });
  const app = await buildApp({
    registry: core.registry,
    kinds: core.kinds,
    isReady: () => true,
    watchTiming: opts.watchTiming,
    connect: opts.connect,
  });
  return {
    core,
    app,
    async close() {
      core.endWatches();
      await app.close();
      await core.close();
    },
  };
}

/** A minimal valid Pod manifest. */
export function podManifest(name: string, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
    ...extra,
  };
}
