/**
 * A fragment is what one unit of input contributes to a node's tables: the global hooks, or one
 * Service on one node. Fragments are the unit of incremental recompilation (proxier.ts); compile.ts
 * and the proxier assemble them into the same `CompiledRules`.
 */
import type { CompiledRules, Match, Rule, Target } from './rules.js';

/** A table of a node: `nat` or `filter`. */
export type TableName = keyof CompiledRules;

/** The tables in `iptables-save` order. */
export const TABLES: readonly TableName[] = ['filter', 'nat'];

/** Rules per chain, in insertion order; a chain exists once declared, even if empty. */
export class ChainRules {
  readonly chains = new Map<string, Rule[]>();

  declare(name: string): void {
    if (!this.chains.has(name)) this.chains.set(name, []);
  }

  add(chain: string, rule: Rule): void {
    const rules = this.chains.get(chain);
    if (rules) rules.push(rule);
    else this.chains.set(chain, [rule]);
  }
}

/** One unit's rules in both tables. */
export type Fragment = Record<TableName, ChainRules>;

/** An empty fragment. */
export function newFragment(): Fragment {
  return { nat: new ChainRules(), filter: new ChainRules() };
}

/** `--masquerade-bit` 14. */
export const MASQ_MARK = 0x4000;
export const MARK_MASQ_CHAIN = 'KUBE-MARK-MASQ';

/** `-m comment --comment text`. */
export const comment = (text: string): Match => ({ kind: 'comment', text });
/** `-j chain`. */
export const jump = (chain: string): Target => ({ kind: 'jump', chain });
/** A host address as iptables stores it. */
export const host = (ip: string): string => `${ip}/32`;
