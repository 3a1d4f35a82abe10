/** Turns fragments into a table listing: built-in chains in hook order, then every other chain by name. */
import type { ChainRules, TableName } from './fragment.js';
import { BUILTIN_CHAINS, type Chain, type Rule } from './rules.js';

/** Orders chain names as `compileNode` lists them (plain string order). */
export const compareChainNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Concatenates each chain's rules across `parts` (in order) and lists the chains: the table's
 * built-in chains that occur, in hook order, then the rest sorted by name.
 */
export function assembleTable(table: TableName, parts: readonly ChainRules[]): Chain[] {
  const merged = new Map<string, Rule[]>();
  for (const part of parts) {
    for (const [name, rules] of part.chains) {
      const list = merged.get(name);
      if (list) list.push(...rules);
      else merged.set(name, [...rules]);
    }
  }
  const builtins = BUILTIN_CHAINS[table].filter((n) => merged.has(n));
  const own = [...merged.keys()].filter((n) => !BUILTIN_CHAINS[table].includes(n)).sort(compareChainNames);
  return [...builtins, ...own].map((name) => ({ name, rules: merged.get(name)! }));
}
