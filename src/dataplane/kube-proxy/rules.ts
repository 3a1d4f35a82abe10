/** The structured iptables rules the kube-proxy compiler produces and an evaluator walks. */

/** A rule's match extension, in the order iptables-save prints it. */
export type Match =
  | { kind: 'comment'; text: string }
  /** `-m tcp|udp|sctp [--dport N]`. */
  | { kind: 'l4'; protocol: string; dport?: number }
  | { kind: 'conntrack'; ctstate: string[] }
  | { kind: 'mark'; value: number; mask: number; negate?: boolean }
  /** `-m addrtype [--src-type LOCAL] [! --dst-type LOCAL]`: whether the address is one of the node's own. */
  | { kind: 'addrtype'; srcType?: 'LOCAL'; dstType?: 'LOCAL'; invertDst?: boolean }
  /**
   * `-m recent` keyed by source address (`--rsource`): `set` records the source in list `name` and
   * always matches; `rcheck` matches when the source was recorded within `seconds`, and `reap`
   * forgets older entries (session affinity, docs/network-model.md#session-affinity).
   */
  | { kind: 'recent'; name: string; action: 'set' | 'rcheck'; seconds?: number; reap?: boolean }
  /** Matches when `(random32 & 0x7FFFFFFF) < threshold` (see probability.ts). */
  | { kind: 'statistic'; threshold: number };

/**
 * What a matching rule does. `MARK` sets `(mark & ~mask) ^ value`, i.e. iptables' `--set-xmark value/mask`.
 * `none` is a rule without `-j`: it only counts the packet, which goes on to the next rule.
 */
export type Target =
  | { kind: 'none' }
  | { kind: 'jump'; chain: string }
  | { kind: 'ACCEPT' | 'DROP' | 'RETURN' | 'REJECT' }
  | { kind: 'MARK'; value: number; mask: number }
  | { kind: 'MASQUERADE'; randomFully: boolean }
  | { kind: 'DNAT'; toDestination: string };

/** One rule: base matches (`-s`, `-d` as CIDRs, `-p`), extension matches, then the target. */
export interface Rule {
  source?: { cidr: string; negate?: boolean };
  destination?: string;
  protocol?: string;
  matches: Match[];
  target: Target;
}

/** A chain and its rules in evaluation order. */
export interface Chain {
  name: string;
  rules: Rule[];
}

/** The compiled tables; built-in chains come first (hook order), then kube-proxy's chains sorted by name. */
export interface CompiledRules {
  nat: Chain[];
  filter: Chain[];
}

/** Built-in chains of each table, in hook order (they come first in a table's listing). */
export const BUILTIN_CHAINS: Record<keyof CompiledRules, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

/** The text of the rule's `-m comment`, if any. */
export function ruleComment(rule: Rule): string | undefined {
  for (const m of rule.matches) if (m.kind === 'comment') return m.text;
  return undefined;
}
