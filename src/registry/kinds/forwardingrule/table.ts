/** How ForwardingRules print in `kubectl get`: kube-apiserver's columns gcloud's column names, so the output reads like `gcloud compute … list`. */
import { age, ageColumn, column, joinWithMore, nameColumn, type TableConvertor } from '../../table.js';
import type { ForwardingRule } from './schema.js';

/** TARGET: `nodes:vm1,vm2` for a network LB, `urlMap` for an HTTP(S) LB. */
function forwardingRuleTarget(fr: ForwardingRule): string {
  const { nodes, urlMap } = fr.spec.target;
  if (nodes !== undefined) return `nodes:${joinWithMore(nodes) || '<none>'}`;
  return urlMap !== undefined ? 'urlMap' : '<none>';
}

export const forwardingRuleTable: TableConvertor<ForwardingRule> = {
  columns: [
    nameColumn(),
    column('IP', 'The address the load balancer serves.'),
    column('Protocol', 'The protocol the rule forwards.'),
    column('Ports', 'The ports the rule forwards.'),
    column('Target', 'Where matching packets go: backend nodes, or a URL map.'),
    ageColumn,
  ],
  cells: (fr, nowMs) => [
    fr.metadata.name ?? '',
    fr.spec.ipAddress,
    fr.spec.protocol,
    fr.spec.ports?.length ? fr.spec.ports.join(',') : '<all>',
    forwardingRuleTarget(fr),
    age(fr, nowMs),
  ],
};
