/** How IngressClasses print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, nameColumn, type TableConvertor } from '../../table.js';
import type { IngressClass } from './schema.js';

/** PARAMETERS: `Kind[.group]/name`, or `<none>`. */
function ingressClassParameters(ic: IngressClass): string {
  const p = ic.spec.parameters;
  if (!p) return '<none>';
  return `${p.kind}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name}`;
}

export const ingressClassTable: TableConvertor<IngressClass> = {
  columns: [
    nameColumn(),
    column('Controller', 'Controller that is responsible for handling this class'),
    column('Parameters', 'A reference to a resource with additional parameters'),
    ageColumn,
  ],
  cells: (ic, nowMs) => [ic.metadata.name ?? '', ic.spec.controller ?? '', ingressClassParameters(ic), age(ic, nowMs)],
};
