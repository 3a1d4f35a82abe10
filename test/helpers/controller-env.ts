/** Helpers for controller tests on `startTestEnv`: a second controller instance, convergence, lookups that may miss. */
import { StatusError } from '../../src/apimachinery/errors.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';
import type { Kind, KindMap, Reconciler } from '../../src/runtime/api.js';
import { kindLookup, localSource } from '../../src/runtime/local.js';
import { Manager } from '../../src/runtime/manager.js';
import type { TestEnv } from '../../src/runtime/testenv.js';
import { eventually } from './eventually.js';

/** Runs `controller` in a fresh Manager on `env`'s store (a restart, or a second replica); the caller stops it. */
export async function startControllerOn(env: TestEnv, controller: Reconciler): Promise<Manager> {
  const lookup = kindLookup(builtinKinds);
  const manager = new Manager({
    controllers: [controller],
    source: (kind) => localSource(env.registry, lookup(kind)),
    client: env.client,
  });
  await manager.start();
  return manager;
}

/** Waits for the controllers to settle, then for `check` to pass (5 s at most). */
export async function converge<T>(settle: () => Promise<void>, check: () => Promise<T>): Promise<T> {
  await settle();
  return eventually(check, 5000, 10);
}

/** The object, or undefined when it does not exist. */
export async function findObject<K extends Kind>(
  env: TestEnv,
  kind: K,
  key: { namespace?: string; name: string },
): Promise<KindMap[K] | undefined> {
  try {
    return await env.client.get(kind, key);
  } catch (err) {
    if (err instanceof StatusError && err.code === 404) return undefined;
    throw err;
  }
}
