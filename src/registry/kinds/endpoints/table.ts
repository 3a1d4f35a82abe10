/** How Endpoints print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, joinHostPort, joinWithMore, nameColumn, type TableConvertor } from '../../table.js';
import type { Endpoints } from './schema.js';

/** ENDPOINTS: `ip:port` for every ready address and port (bare IPs for port-less subsets), three at most. */
function formatEndpoints(ep: Endpoints): string {
  if (!ep.subsets?.length) return '<none>';
  const entries = ep.subsets.flatMap((ss) => {
    const ips = (ss.addresses ?? []).map((a) => a.ip);
    return ss.ports?.length ? ss.ports.flatMap((p) => ips.map((ip) => joinHostPort(ip, p.port))) : ips;
  });
  return joinWithMore(entries);
}

export const endpointsTable: TableConvertor<Endpoints> = {
  columns: [nameColumn(), column('Endpoints', 'The set of all endpoints is the union of all subsets.'), ageColumn],
  cells: (ep, nowMs) => [ep.metadata.name ?? '', formatEndpoints(ep), age(ep, nowMs)],
};
