/** How Ingresses print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import { age, ageColumn, column, loadBalancerPoints, nameColumn, type TableConvertor } from '../../table.js';
import type { Ingress, IngressStatus } from './schema.js';

/** HOSTS: the rules' hosts, three at most; `*` when no rule names one. */
function ingressHosts(ingress: Ingress): string {
  const rules = ingress.spec.rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (!hosts.length) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

function ingressAddress(status: IngressStatus | undefined): string {
  return loadBalancerPoints(status?.loadBalancer?.ingress);
}

export const ingressTable: TableConvertor<Ingress> = {
  columns: [
    nameColumn(),
    column('Class', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'Ports of TLS configurations that open'),
    ageColumn,
  ],
  cells: (ingress, nowMs) => [
    ingress.metadata.name ?? '',
    ingress.spec.ingressClassName ?? '<none>',
    ingressHosts(ingress),
    ingressAddress(ingress.status),
    ingress.spec.tls?.length ? '80, 443' : '80',
    age(ingress, nowMs),
  ],
};
