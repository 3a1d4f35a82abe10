/** How Services print in `kubectl get`: kube-apiserver's columns (pkg/printers/internalversion/printers.go). */
import {
  age,
  ageColumn,
  column,
  formatLabels,
  loadBalancerPoints,
  nameColumn,
  type TableConvertor,
} from '../../table.js';
import type { Service } from './schema.js';

/** EXTERNAL-IP: external IPs, load-balancer points (`<pending>` while there are none) or the external name. */
function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec.externalIPs ?? [];
  switch (svc.spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const points = loadBalancerPoints(svc.status?.loadBalancer?.ingress);
      if (externalIPs.length) return [...(points ? points.split(',') : []), ...externalIPs].join(',');
      return points || '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** PORT(S): `80/TCP`, `80:30080/TCP` with a node port. */
function servicePorts(svc: Service): string {
  const ports = (svc.spec.ports ?? []).map((p) =>
    p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`,
  );
  return ports.length ? ports.join(',') : '<none>';
}

export const serviceTable: TableConvertor<Service> = {
  columns: [
    nameColumn(),
    column('Type', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'The IP address of the service, allocated by the master.'),
    column('External-IP', 'IP addresses for which nodes in the cluster also accept traffic for this service.'),
    column('Port(s)', 'The ports exposed by this service.'),
    ageColumn,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', {
      wide: true,
    }),
  ],
  cells: (svc, nowMs) => [
    svc.metadata.name ?? '',
    svc.spec.type,
    svc.spec.clusterIPs?.[0] ?? '<none>',
    serviceExternalIP(svc),
    servicePorts(svc),
    age(svc, nowMs),
    formatLabels(svc.spec.selector),
  ],
};
