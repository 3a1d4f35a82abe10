/** How Firewalls print in `kubectl get`: kube-apiserver's columns gcloud's column names, so the output reads like `gcloud compute … list`. */
import { age, ageColumn, column, joinWithMore, nameColumn, type TableConvertor } from '../../table.js';
import { priorityColumn } from '../compute.js';
import type { Firewall } from './schema.js';

/** ALLOW as gcloud prints it: `tcp:80,tcp:30000-32767,icmp`, a protocol alone when it has no ports. */
function firewallAllow(fw: Firewall): string {
  return (fw.spec.allowed ?? [])
    .flatMap((a) => (a.ports?.length ? a.ports.map((p) => `${a.protocol}:${p}`) : [a.protocol]))
    .join(',');
}

export const firewallTable: TableConvertor<Firewall> = {
  columns: [
    nameColumn(),
    column('Src_Ranges', 'The source ranges the rule admits.'),
    column('Allow', 'The protocols and ports the rule admits.'),
    column('Targets', 'The nodes the rule applies to.'),
    priorityColumn,
    ageColumn,
  ],
  cells: (fw, nowMs) => [
    fw.metadata.name ?? '',
    (fw.spec.sourceRanges ?? []).join(','),
    firewallAllow(fw),
    fw.spec.targetNodes?.length ? joinWithMore(fw.spec.targetNodes) : '<all>',
    fw.spec.priority,
    age(fw, nowMs),
  ],
};
