/** A fragment's chains with their `iptables-save` lines, so a node's text can be re-assembled without re-rendering. */
import { TABLES, type Fragment, type TableName } from './fragment.js';
import { renderRule } from './render.js';
import type { Chain } from './rules.js';

/** Per table and chain of a fragment: its `Chain` object and rendered rules (lines joined by `\n`, `''` when empty). */
export interface RenderedFragment {
  chains: Record<TableName, Map<string, Chain>>;
  text: Record<TableName, Map<string, string>>;
  counts: Record<TableName, number>;
}

interface RenderedTable {
  chains: Map<string, Chain>;
  text: Map<string, string>;
  count: number;
}

function renderTable(fragment: Fragment, table: TableName): RenderedTable {
  const out: RenderedTable = { chains: new Map(), text: new Map(), count: 0 };
  for (const [name, rules] of fragment[table].chains) {
    out.chains.set(name, { name, rules });
    out.text.set(name, rules.map((r) => renderRule(name, r)).join('\n'));
    out.count += rules.length;
  }
  return out;
}

/** Renders every chain of `fragment`. */
export function renderFragment(fragment: Fragment): RenderedFragment {
  const filter = renderTable(fragment, 'filter');
  const nat = renderTable(fragment, 'nat');
  return {
    chains: { filter: filter.chains, nat: nat.chains },
    text: { filter: filter.text, nat: nat.text },
    counts: { filter: filter.count, nat: nat.count },
  };
}

/** Whether a fragment has no chain at all (a Service kube-proxy does not program). */
export const isEmptyFragment = (f: Fragment): boolean => TABLES.every((t) => f[t].chains.size === 0);

/** The chains of `table` whose rules differ between two versions of a fragment (undefined = no fragment). */
export function changedChains(
  a: RenderedFragment | undefined,
  b: RenderedFragment | undefined,
  table: TableName,
): string[] {
  const before = a?.text[table] ?? new Map<string, string>();
  const after = b?.text[table] ?? new Map<string, string>();
  const out = [...before.keys()].filter((chain) => after.get(chain) !== before.get(chain));
  for (const chain of after.keys()) if (!before.has(chain)) out.push(chain);
  return out;
}
