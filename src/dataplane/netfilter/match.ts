/**
 * Whether a rule's matches hold for a packet, with Linux netfilter semantics: the base matches
 * (`-s`, `-d`, `-p`), then the extension matches in rule order. `statistic` is left to the traversal,
 * which asks `HookContext.decide` only once everything else holds (so only otherwise-matching rules
 * consume a choice).
 */
import { cidrContains, parseCIDR, parseIPv4, type Cidr } from '../../net/ipv4.js';
import type { Match, Rule } from '../kube-proxy/rules.js';
import type { Packet } from './packet.js';

/** `-m recent` lists: list name → source IP → when it was last recorded (seconds). */
export type RecentLists = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** The hook state the matches read besides the packet (the traversal's HookContext extends it). */
export interface MatchState {
  ctstate: 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID';
  /** `-m addrtype LOCAL`: whether `ip` is one of this node's addresses. */
  isLocal(ip: string): boolean;
  /** Read-only here; `--set` hits come back in `HookResult.recentSets`. */
  recent: RecentLists;
  nowSeconds: number;
}

/** A `-m recent --set` hit: list `name` records source `ip`. */
export interface RecentSet {
  name: string;
  ip: string;
}

/** What a rule is tested against: the packet, its addresses as numbers, the current mark and the hook state. */
export interface MatchSubject {
  packet: Packet;
  /** `packet.protocol` lower-cased, as rules spell protocols. */
  protocol: string;
  src: number;
  dst: number;
  mark: number;
  ctx: MatchState;
  /** `--set` hits earlier in this traversal: a later `--rcheck` sees them as seen now, as the kernel would. */
  pendingRecent: readonly RecentSet[];
}

interface BaseMatches {
  source?: { cidr: Cidr; negate: boolean };
  destination?: Cidr;
  protocol?: string;
}

/** Parsed once per rule object: compiled rules are immutable data, and parsing CIDRs per packet would dominate. */
const baseCache = new WeakMap<Rule, BaseMatches>();

/** `a.b.c.d/n`, or a bare address, which iptables reads as /32. Throws when malformed. */
export function parseRuleCidr(text: string): Cidr {
  return text.includes('/') ? parseCIDR(text) : { network: parseIPv4(text), prefix: 32 };
}

function baseMatches(rule: Rule): BaseMatches {
  let base = baseCache.get(rule);
  if (!base) {
    base = {
      source: rule.source && { cidr: parseRuleCidr(rule.source.cidr), negate: rule.source.negate === true },
      destination: rule.destination === undefined ? undefined : parseRuleCidr(rule.destination),
      protocol: rule.protocol?.toLowerCase(),
    };
    baseCache.set(rule, base);
  }
  return base;
}

function baseHolds(rule: Rule, s: MatchSubject): boolean {
  const base = baseMatches(rule);
  if (base.source && cidrContains(base.source.cidr, s.src) === base.source.negate) return false;
  if (base.destination && !cidrContains(base.destination, s.dst)) return false;
  return base.protocol === undefined || base.protocol === s.protocol;
}

function addrtypeHolds(m: Extract<Match, { kind: 'addrtype' }>, s: MatchSubject): boolean {
  if (m.srcType === 'LOCAL' && !s.ctx.isLocal(s.packet.src)) return false;
  return m.dstType !== 'LOCAL' || s.ctx.isLocal(s.packet.dst) !== (m.invertDst === true);
}

/** `--rcheck [--seconds T]`: the source is in the list (seen within T seconds when given); `--reap` only prunes. */
function recentCheckHolds(m: Extract<Match, { kind: 'recent' }>, s: MatchSubject): boolean {
  const ip = s.packet.src;
  const pending = s.pendingRecent.some((r) => r.name === m.name && r.ip === ip);
  const lastSeen = pending ? s.ctx.nowSeconds : s.ctx.recent.get(m.name)?.get(ip);
  if (lastSeen === undefined) return false;
  return m.seconds === undefined || s.ctx.nowSeconds - lastSeen <= m.seconds;
}

function extensionHolds(m: Match, s: MatchSubject): boolean {
  switch (m.kind) {
    case 'comment':
    case 'statistic':
      return true;
    case 'l4':
      return m.protocol.toLowerCase() === s.protocol && (m.dport === undefined || m.dport === s.packet.dstPort);
    case 'conntrack':
      return m.ctstate.includes(s.ctx.ctstate);
    case 'mark':
      return ((s.mark & m.mask) >>> 0 === m.value >>> 0) !== (m.negate === true);
    case 'addrtype':
      return addrtypeHolds(m, s);
    case 'recent':
      return m.action === 'set' || recentCheckHolds(m, s);
  }
}

/** Whether every match of the rule holds, treating `statistic` matches as holding (the caller decides them). */
export function holdsExceptStatistic(rule: Rule, s: MatchSubject): boolean {
  return baseHolds(rule, s) && rule.matches.every((m) => extensionHolds(m, s));
}
