/**
 * Evaluates compiled iptables rules (kube-proxy/rules.ts) for one packet through one table's hook,
 * with Linux netfilter semantics: rules in order, jumps descend, RETURN and falling off a chain go
 * back to the caller, and a built-in chain's policy (ACCEPT) applies at its end. Side-effect free:
 * `-m recent --set` hits are reported for the caller to commit.
 */
import { parseIPv4, tryParseIPv4 } from '../../net/ipv4.js';
import { renderRule } from '../kube-proxy/render.js';
import { BUILTIN_CHAINS, type Chain, type CompiledRules, type Match, type Rule } from '../kube-proxy/rules.js';
import { candidatePositions, findChain, type Table } from './chain-index.js';
import { holdsExceptStatistic, type MatchState, type MatchSubject, type RecentSet } from './match.js';
import type { Packet } from './packet.js';

/** A rule in context: where it sits and its `iptables-save` text. */
export interface RuleRef {
  table: Table;
  chain: string;
  index: number;
  rule: Rule;
  /** `renderRule(chain, rule)`. */
  text: string;
}

/** A `-m statistic --mode random` match about to be decided. */
export interface StatisticPoint {
  ref: RuleRef;
  /** The kernel's threshold (probability.ts): a packet matches when `(random32 & 0x7FFFFFFF) < threshold`. */
  threshold: number;
  /** `threshold / 2³¹`. */
  probability: number;
}

/** The hook state a traversal reads besides the packet: the matches' state, the entry mark, statistic draws. */
export interface HookContext extends MatchState {
  /** The skb mark on entry. */
  mark: number;
  /**
   * Whether this `-m statistic` match matches. Called only once every other match of its rule holds,
   * in traversal order, so a sequence of answers reproduces a path.
   */
  decide(point: StatisticPoint): boolean;
}

/** The outcome of one table's traversal. */
export interface HookResult {
  /** Falling off (or RETURN from) the entry chain gives its policy, ACCEPT. */
  verdict: 'ACCEPT' | 'DROP' | 'REJECT';
  /** The packet after DNAT (`--to-destination ip[:port]`). */
  packet: Packet;
  /** The mark after MARK targets (`--set-xmark value/mask`: `(mark & ~mask) ^ value`). */
  mark: number;
  /** A MASQUERADE target was hit; the caller picks the address. */
  masquerade: boolean;
  /** The rule whose target ended the traversal (DNAT, MASQUERADE, ACCEPT, DROP, REJECT), if any. */
  decisive?: RuleRef;
  /** Every rule that matched, in order: jumps, MARKs, RETURN, rules without a target, the terminal one. */
  trail: RuleRef[];
  /** `-m recent --set` hits of matching rules, for the caller to commit. */
  recentSets: RecentSet[];
}

/** Evaluation options; `useIndex: false` forces the plain in-order walk of every rule. */
export interface EvaluateOptions {
  useIndex?: boolean;
}

/** Deeper nesting than kube-proxy's (7 chains) by far; past this a jump cycle is assumed. */
const MAX_JUMP_DEPTH = 32;

/** The state one traversal accumulates. */
interface Traversal extends MatchSubject {
  ctx: HookContext;
  rules: CompiledRules;
  table: Table;
  useIndex: boolean;
  trail: RuleRef[];
  recentSets: RecentSet[];
  end?: { verdict: HookResult['verdict']; decisive: RuleRef; masquerade: boolean };
}

type ChainExit = 'return' | 'stop';

/** Rendered texts per rule object: compiled rules are immutable and shared, and rendering dominates a walk. */
const renderedTexts = new WeakMap<Rule, string>();

function ruleText(chain: string, rule: Rule): string {
  let text = renderedTexts.get(rule);
  if (text === undefined) renderedTexts.set(rule, (text = renderRule(chain, rule)));
  return text;
}

function ruleRef(t: Traversal, chain: Chain, index: number): RuleRef {
  const rule = chain.rules[index];
  return { table: t.table, chain: chain.name, index, rule, text: ruleText(chain.name, rule) };
}

/** The rule's statistic matches, decided in order; the first that does not match fails the rule. */
function statisticsHold(t: Traversal, ref: RuleRef): boolean {
  const statistics = ref.rule.matches.filter((m): m is Extract<Match, { kind: 'statistic' }> => m.kind === 'statistic');
  return statistics.every(({ threshold }) => t.ctx.decide({ ref, threshold, probability: threshold / 2 ** 31 }));
}

/** The rule as a RuleRef when it matches; a `--set` is recorded only for a matching rule. */
function matchedRule(t: Traversal, chain: Chain, index: number): RuleRef | undefined {
  const rule = chain.rules[index];
  if (!holdsExceptStatistic(rule, t)) return undefined;
  const ref = ruleRef(t, chain, index);
  if (!statisticsHold(t, ref)) return undefined;
  for (const m of rule.matches)
    if (m.kind === 'recent' && m.action === 'set') t.recentSets.push({ name: m.name, ip: t.packet.src });
  return ref;
}

/** `--to-destination ip[:port]`. */
function dnat(packet: Packet, toDestination: string): Packet {
  const colon = toDestination.indexOf(':');
  const ip = colon < 0 ? toDestination : toDestination.slice(0, colon);
  const port = colon < 0 ? packet.dstPort : Number(toDestination.slice(colon + 1));
  // Ranges (`a-b:p-q`) are iptables syntax kube-proxy never writes.
  if (tryParseIPv4(ip) === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`unsupported DNAT destination "${toDestination}"`);
  }
  return { ...packet, dst: ip, dstPort: port };
}

function stop(t: Traversal, decisive: RuleRef, verdict: HookResult['verdict'], masquerade = false): ChainExit {
  t.end = { verdict, decisive, masquerade };
  return 'stop';
}

/** Applies a matched rule's target: undefined to go on with the next rule, else how the chain is left. */
function applyTarget(t: Traversal, ref: RuleRef, depth: number): ChainExit | undefined {
  const target = ref.rule.target;
  switch (target.kind) {
    case 'none':
      return undefined;
    case 'jump':
      return walkChain(t, jumpTarget(t, ref, target.chain), depth + 1) === 'stop' ? 'stop' : undefined;
    case 'RETURN':
      return 'return';
    case 'MARK':
      t.mark = ((t.mark & ~target.mask) ^ target.value) >>> 0;
      return undefined;
    case 'DNAT':
      t.packet = dnat(t.packet, target.toDestination);
      return stop(t, ref, 'ACCEPT');
    case 'MASQUERADE':
      return stop(t, ref, 'ACCEPT', true);
    case 'ACCEPT':
    case 'DROP':
    case 'REJECT':
      return stop(t, ref, target.kind);
    default:
      return unknownTarget(target);
  }
}

/** Makes a target kind added to rules.ts a compile error here rather than a silent "go on". */
function unknownTarget(target: never): never {
  throw new Error(`unsupported target ${JSON.stringify(target)}`);
}

function jumpTarget(t: Traversal, ref: RuleRef, name: string): Chain {
  const chain = findChain(t.rules, t.table, name);
  if (!chain) throw new Error(`${t.table} rule "${ref.text}" jumps to chain ${name}, which does not exist`);
  return chain;
}

function walkChain(t: Traversal, chain: Chain, depth: number): ChainExit {
  if (depth > MAX_JUMP_DEPTH)
    throw new Error(`${t.table} chain ${chain.name} is nested more than ${MAX_JUMP_DEPTH} jumps deep (a jump loop?)`);
  const positions = t.useIndex ? candidatePositions(t.rules, t.table, chain, t.packet) : undefined;
  const count = positions ? positions.length : chain.rules.length;
  for (let k = 0; k < count; k++) {
    const ref = matchedRule(t, chain, positions ? positions[k] : k);
    if (!ref) continue;
    t.trail.push(ref);
    const exit = applyTarget(t, ref, depth);
    if (exit) return exit;
  }
  return 'return';
}

/** The chain a traversal enters at: a missing built-in chain is empty (policy ACCEPT), any other is an error. */
function entryChain(rules: CompiledRules, table: Table, name: string): Chain {
  const chain = findChain(rules, table, name);
  if (chain) return chain;
  if (BUILTIN_CHAINS[table].includes(name)) return { name, rules: [] };
  throw new Error(`${table} chain ${name} does not exist`);
}

/**
 * Traverses `table` from `chain` (normally a built-in chain) for `packet`. Ends at the first
 * terminal target (DNAT, MASQUERADE, ACCEPT, DROP, REJECT) or, falling off or RETURNing from the
 * entry chain, with its policy ACCEPT. With the index (default) only the rules that can match the
 * packet's destination/protocol/port are visited; the result is the plain walk's either way.
 * Throws when a rule jumps to a missing chain, jumps nest past 32 deep (a loop), or an address is malformed.
 */
export function evaluateChain(
  rules: CompiledRules,
  table: Table,
  chain: string,
  packet: Packet,
  ctx: HookContext,
  opts: EvaluateOptions = {},
): HookResult {
  const recentSets: RecentSet[] = [];
  const t: Traversal = {
    rules,
    table,
    useIndex: opts.useIndex ?? true,
    packet: { ...packet },
    protocol: packet.protocol.toLowerCase(),
    src: parseIPv4(packet.src),
    dst: parseIPv4(packet.dst),
    mark: ctx.mark >>> 0,
    ctx,
    trail: [],
    recentSets,
    pendingRecent: recentSets,
  };
  walkChain(t, entryChain(rules, table, chain), 0);
  const result: HookResult = {
    verdict: t.end?.verdict ?? 'ACCEPT',
    packet: t.packet,
    mark: t.mark,
    masquerade: t.end?.masquerade ?? false,
    trail: t.trail,
    recentSets,
  };
  if (t.end) result.decisive = t.end.decisive;
  return result;
}
