/** How Leases print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, nameColumn, type TableConvertor } from '../../table.js';
import type { Lease } from './schema.js';

export const leaseTable: TableConvertor<Lease> = {
  columns: [nameColumn(), column('Holder', 'The identity of the holder of the current lease.'), ageColumn],
  cells: (lease, nowMs) => [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease, nowMs)],
};
