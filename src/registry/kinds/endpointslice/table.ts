/** How EndpointSlices print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, joinWithMore, nameColumn, type TableConvertor } from '../../table.js';
import type { EndpointSlice } from './schema.js';

/** upstream's `listWithMoreString`: `<unset>` when empty. */
function listOrUnset(entries: readonly string[]): string {
  return joinWithMore(entries) || '<unset>';
}

export const endpointSliceTable: TableConvertor<EndpointSlice> = {
  columns: [
    nameColumn(),
    column('AddressType', 'The type of address carried by this EndpointSlice.'),
    column('Ports', 'The network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'The unique endpoints in this slice.'),
    ageColumn,
  ],
  cells: (slice, nowMs) => [
    slice.metadata.name ?? '',
    slice.addressType,
    listOrUnset((slice.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name))),
    listOrUnset(slice.endpoints.flatMap((e) => e.addresses)),
    age(slice, nowMs),
  ],
};
