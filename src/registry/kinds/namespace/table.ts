/** How Namespaces print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, nameColumn, type TableConvertor } from '../../table.js';
import type { Namespace } from './schema.js';

export const namespaceTable: TableConvertor<Namespace> = {
  columns: [nameColumn(), column('Status', 'The status of the namespace'), ageColumn],
  cells: (ns, nowMs) => [ns.metadata.name ?? '', ns.status.phase, age(ns, nowMs)],
};
