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

/** Runs several transactions as one: commit all, or revert all in reverse order. */
export function combineTxns(txns: readonly (Txn | void)[]): Txn {
  const list = txns.filter((t): t is Txn => !!t);
  return {
    async commit() {
      for (const t of list) await t.commit();
    },
    async revert() {
      for (const t of [...list].reverse()) await t.revert();
    },
  };
}
