/**
 * Chain lookup and per-chain rule indexes, so a packet's cost does not grow with the number of
 * Services (as nftables' verdict maps). A rule that pins `(destination /32, protocol, dport)` is
 * filed under that key, one that pins only `(protocol, dport)` (KUBE-NODEPORTS style) under
 * `(*, protocol, dport)`; every other rule is "unindexed". A packet visits, in original order, the
 * merge of its two keys' positions and the unindexed positions: a superset of the rules that can
 * match it, so the walk's outcome is the plain in-order walk's.
 *
 * Built lazily and cached per CompiledRules object, which therefore must not be mutated afterwards.
 */
import { formatIPv4 } from '../../net/ipv4.js';
import type { Chain, CompiledRules, Match, Rule } from '../kube-proxy/rules.js';
import { parseRuleCidr } from './match.js';
import type { Packet } from './packet.js';

/** The iptables tables kube-proxy programs. */
export type Table = 'nat' | 'filter';

/** Chains shorter than this are walked plainly: testing a few rules is cheaper than a lookup and a merge. */
const MIN_INDEXED_RULES = 8;
const ANY_DESTINATION = '*';

interface ChainIndex {
  byKey: Map<string, number[]>;
  unindexed: number[];
}

interface TableLookup {
  chains: Map<string, Chain>;
  indexes: Map<string, ChainIndex>;
}

const cache = new WeakMap<CompiledRules, Map<Table, TableLookup>>();

const indexKey = (destination: string, protocol: string, dport: number): string =>
  `${destination} ${protocol} ${dport}`;

type L4Match = Extract<Match, { kind: 'l4' }>;
const isPortMatch = (m: Match): m is L4Match & { dport: number } => m.kind === 'l4' && m.dport !== undefined;

/** The address a `-d x/32` rule pins, in canonical text. */
function pinnedDestination(rule: Rule): string | undefined {
  if (rule.destination === undefined) return undefined;
  const cidr = parseRuleCidr(rule.destination);
  return cidr.prefix === 32 ? formatIPv4(cidr.network) : undefined;
}

/** The key a rule can only match under; an `-m tcp --dport N` match pins both the protocol and the port. */
function ruleKey(rule: Rule): string | undefined {
  const port = rule.matches.find(isPortMatch);
  if (!port) return undefined;
  return indexKey(pinnedDestination(rule) ?? ANY_DESTINATION, port.protocol.toLowerCase(), port.dport);
}

function buildChainIndex(chain: Chain): ChainIndex {
  const index: ChainIndex = { byKey: new Map(), unindexed: [] };
  chain.rules.forEach((rule, position) => {
    const key = ruleKey(rule);
    if (key === undefined) index.unindexed.push(position);
    else if (index.byKey.has(key)) index.byKey.get(key)!.push(position);
    else index.byKey.set(key, [position]);
  });
  return index;
}

function tableLookup(rules: CompiledRules, table: Table): TableLookup {
  let tables = cache.get(rules);
  if (!tables) cache.set(rules, (tables = new Map()));
  let lookup = tables.get(table);
  if (!lookup) {
    const chains = new Map<string, Chain>();
    for (const chain of rules[table]) if (!chains.has(chain.name)) chains.set(chain.name, chain);
    tables.set(table, (lookup = { chains, indexes: new Map() }));
  }
  return lookup;
}

/** The chain named `name` in `table`, if declared. */
export function findChain(rules: CompiledRules, table: Table, name: string): Chain | undefined {
  return tableLookup(rules, table).chains.get(name);
}

function mergeSorted(a: readonly number[], b: readonly number[]): readonly number[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i] < b[j] ? a[i++] : b[j++]);
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/**
 * The positions of `chain`'s rules that `packet` must be tested against, ascending; `undefined` when
 * the chain is short enough to walk plainly. `chain` must belong to `rules[table]`.
 */
export function candidatePositions(
  rules: CompiledRules,
  table: Table,
  chain: Chain,
  packet: Packet,
): readonly number[] | undefined {
  if (chain.rules.length < MIN_INDEXED_RULES) return undefined;
  const { indexes } = tableLookup(rules, table);
  let index = indexes.get(chain.name);
  if (!index) indexes.set(chain.name, (index = buildChainIndex(chain)));
  const protocol = packet.protocol.toLowerCase();
  const exact = index.byKey.get(indexKey(packet.dst, protocol, packet.dstPort)) ?? [];
  const anyDestination = index.byKey.get(indexKey(ANY_DESTINATION, protocol, packet.dstPort)) ?? [];
  return mergeSorted(mergeSorted(exact, anyDestination), index.unindexed);
}
