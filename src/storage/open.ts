import { join } from 'node:path';
import { EtcdBackend } from './etcd.js';
import type { Backend } from './interface.js';
import { LevelBackend } from './level.js';
import { MemoryBackend } from './memory.js';

/** The backends `openBackend` can build. */
export type BackendKind = 'memory' | 'level' | 'etcd';

/** Where and how a backend stores: `dataDir` for `level`, `etcdEndpoints` (required) for `etcd`. */
export interface OpenBackendOptions {
  dataDir: string;
  syncWrites?: boolean;
  etcdEndpoints?: readonly string[];
}

/**
 * Builds (does not start) a storage backend: `memory` keeps nothing across restarts; `level`
 * stores under `<dataDir>/db`; `etcd` stores under `/kplane` in the etcd at `etcdEndpoints`.
 * Call `start()` on the result before using it.
 */
export function openBackend(kind: BackendKind, opts: OpenBackendOptions): Backend {
  switch (kind) {
    case 'memory':
      return new MemoryBackend();
    case 'level':
      return new LevelBackend({ path: join(opts.dataDir, 'db'), syncWrites: opts.syncWrites });
    case 'etcd':
      return new EtcdBackend({ endpoints: [...(opts.etcdEndpoints ?? [])] });
  }
}
