/**
 * Pure kube-proxy iptables-mode rule compiler (docs/network-model.md#kube-proxy and
 * #egress-and-masquerade): turns the Services and EndpointSlices a node sees into structured
 * `nat`/`filter` chains an evaluator can walk (rules.ts); render.ts prints them in `iptables-save`
 * form. This is the reference the incremental proxier (proxier.ts) must match.
 */
import type { Service } from '../../registry/kinds/service/schema.js';
import type { EndpointSlice } from '../../registry/kinds/endpointslice/schema.js';
import { assembleTable } from './assemble.js';
import { TABLES, type Fragment } from './fragment.js';
import { globalFragments } from './global-rules.js';
import type { CompiledRules } from './rules.js';
import { compareServiceSortKeys, compileServiceFragment, serviceKey, serviceSortKey } from './service-fragment.js';

/** What one node's kube-proxy (and ip-masq-agent) sees. */
export interface CompileInput {
  nodeName: string;
  clusterCIDR: string;
  /** ip-masq-agent's `nonMasqueradeCIDRs` (config default `['10.0.0.0/8']`). */
  nonMasqueradeCIDRs: string[];
  services: Service[];
  endpointSlices: EndpointSlice[];
}

function slicesByService(slices: readonly EndpointSlice[]): Map<string, EndpointSlice[]> {
  const out = new Map<string, EndpointSlice[]>();
  for (const slice of slices) {
    const key = serviceKey(slice.metadata.namespace, slice.metadata.labels?.['kubernetes.io/service-name']);
    const list = out.get(key);
    if (list) list.push(slice);
    else out.set(key, [slice]);
  }
  return out;
}

/**
 * Compiles the node's rules (iptables mode, ≥1.24 chain naming). Deterministic: Services' rules
 * appear in shared chains in `ServicePortName` order. Not modelled: topology hints,
 * `--masquerade-all`, ip-masq-agent's `masqLinkLocal`.
 */
export function compileNode(input: CompileInput): CompiledRules {
  const global = globalFragments(input.nonMasqueradeCIDRs);
  const bySvc = slicesByService(input.endpointSlices);
  const services = input.services
    .map((svc) => ({ svc, key: serviceSortKey(svc) }))
    .sort((a, b) => compareServiceSortKeys(a.key, b.key))
    .map(({ svc }) =>
      compileServiceFragment(
        svc,
        bySvc.get(serviceKey(svc.metadata.namespace, svc.metadata.name)) ?? [],
        input.nodeName,
        input.clusterCIDR,
      ),
    );
  const parts: Fragment[] = [global.head, ...services, global.tail];
  const [filter, nat] = TABLES.map((table) =>
    assembleTable(
      table,
      parts.map((p) => p[table]),
    ),
  );
  return { nat, filter };
}
