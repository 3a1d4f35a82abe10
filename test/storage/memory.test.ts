import { MemoryBackend } from '../../src/storage/memory.js';
import { runBackendConformance } from './conformance.js';

runBackendConformance('memory', async () => {
  const backend = new MemoryBackend();
  await backend.start();
  return { backend, cleanup: () => backend.close() };
});
