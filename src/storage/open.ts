import { join } from 'node:path';
import type { Backend } from './interface.js';
import { LevelBackend } from './level.js';
import { MemoryBackend } from './memory.js';

/** The backends `openBackend` can build. */
export type BackendKind = 'memory' | 'level';

/**
 * Builds (does not start) a storage backend: `memory` keeps nothing across restarts; `level`
 * stores under `<dataDir>/db`. Call `start()` on the result before using it.
 */
export function openBackend(kind: BackendKind, opts: { dataDir: string; syncWrites?: boolean }): Backend {
  switch (kind) {
    case 'memory':
      return new MemoryBackend();
    case 'level':
      return new LevelBackend({ path: join(opts.dataDir, 'db'), syncWrites: opts.syncWrites });
  }
}
