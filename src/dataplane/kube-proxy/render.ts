/** `iptables-save` text of compiled rules: the form `iptables-restore` accepts and users read. */
import { formatSavedProbability } from './probability.js';
import { BUILTIN_CHAINS, type Chain, type CompiledRules, type Match, type Rule, type Target } from './rules.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

function renderMatch(m: Match): string {
  switch (m.kind) {
    case 'comment':
      return `-m comment --comment "${m.text}"`;
    case 'l4':
      return m.dport === undefined ? `-m ${m.protocol}` : `-m ${m.protocol} --dport ${m.dport}`;
    case 'conntrack':
      return `-m conntrack --ctstate ${m.ctstate.join(',')}`;
    case 'mark':
      return `-m mark ${m.negate ? '! ' : ''}--mark ${hex(m.value)}/${hex(m.mask)}`;
    case 'addrtype':
      return ['-m addrtype', m.srcType && `--src-type ${m.srcType}`, m.dstType && `--dst-type ${m.dstType}`].filter(Boolean).join(' ');
    case 'statistic':
      return `-m statistic --mode random --probability ${formatSavedProbability(m.threshold)}`;
  }
}

function renderTarget(t: Target): string {
  switch (t.kind) {
    case 'jump':
      return `-j ${t.chain}`;
    case 'REJECT':
      return '-j REJECT --reject-with icmp-port-unreachable';
    case 'MARK':
      return `-j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case 'MASQUERADE':
      return t.randomFully ? '-j MASQUERADE --random-fully' : '-j MASQUERADE';
    case 'DNAT':
      return `-j DNAT --to-destination ${t.toDestination}`;
    default:
      return `-j ${t.kind}`;
  }
}

/** One rule as an `iptables-save` line. */
export function renderRule(chain: string, rule: Rule): string {
  const parts = [`-A ${chain}`];
  if (rule.source) parts.push(`${rule.source.negate ? '! ' : ''}-s ${rule.source.cidr}`);
  if (rule.destination) parts.push(`-d ${rule.destination}`);
  if (rule.protocol) parts.push(`-p ${rule.protocol}`);
  for (const m of rule.matches) parts.push(renderMatch(m));
  parts.push(renderTarget(rule.target));
  return parts.join(' ');
}

function renderTable(name: keyof CompiledRules, chains: Chain[]): string[] {
  const own = chains.filter((c) => !BUILTIN_CHAINS[name].includes(c.name));
  return [
    `*${name}`,
    ...own.map((c) => `:${c.name} - [0:0]`),
    ...chains.flatMap((c) => c.rules.map((r) => renderRule(c.name, r))),
    'COMMIT',
  ];
}

/**
 * `iptables-save` text of the given tables (default filter then nat), newline-terminated.
 * Built-in chain headers (`:PREROUTING ACCEPT [0:0]`) are omitted, as in networking.md §6.7.
 */
export function renderIptablesSave(compiled: CompiledRules, tables: (keyof CompiledRules)[] = ['filter', 'nat']): string {
  return tables.flatMap((t) => renderTable(t, compiled[t])).join('\n') + '\n';
}
