import type { KubeObject } from '../apimachinery/object.js';

/**
 * The undo handle of an admission step, kube-apiserver's service `transaction.go`: allocation
 * happens before the object is stored, so the store commits it once the write succeeded and
 * reverts it when anything later fails (validation, a conflict, storage).
 */
export interface Txn {
  commit(): void | Promise<void>;
  revert(): void | Promise<void>;
}

/**
 * Synchronous, pluggable work inside a write request (the registry's BeginCreate / BeginUpdate /
 * AfterDelete hooks): the ClusterIP and NodePort allocators fill `spec.clusterIP` and
 * `spec.ports[].nodePort` before the object is stored, so a create returns them, as in Kubernetes.
 *
 * Contract: `beginCreate`/`beginUpdate` may mutate `obj` (never `old`) and throw a StatusError to
 * refuse the write; on `dryRun` they must not change any shared state (return no Txn or a no-op
 * one). `afterDelete` runs after the object is gone and must be idempotent.
 */
export interface AdmissionHook<T extends KubeObject = KubeObject> {
  name: string;
  /** The kind this hook applies to, e.g. `Service`. */
  kind: string;
  beginCreate?(obj: T, opts: { dryRun: boolean }): Promise<Txn | void>;
  beginUpdate?(obj: T, old: T, opts: { dryRun: boolean }): Promise<Txn | void>;
  afterDelete?(obj: T): Promise<void>;
}

/**
 * Begins each hook's transaction in turn; if one refuses (throws), the ones already begun are
 * reverted, newest first, before the error goes on. The result commits or reverts them all.
 */
export async function beginAll<T extends KubeObject>(
  hooks: readonly AdmissionHook<T>[],
  begin: (h: AdmissionHook<T>) => Promise<Txn | void> | undefined,
): Promise<Txn> {
  const begun: Txn[] = [];
  try {
    for (const h of hooks) {
      const txn = await begin(h);
      if (txn) begun.push(txn);
    }
  } catch (err) {
    await combineTxns(begun).revert();
    throw err;
  }
  return combineTxns(begun);
}

/** Runs several transactions as one: commit all, or revert all in reverse order. */
function combineTxns(list: readonly Txn[]): Txn {
  return {
    async commit() {
      for (const t of list) await t.commit();
    },
    async revert() {
      for (const t of [...list].reverse()) await t.revert();
    },
  };
}
