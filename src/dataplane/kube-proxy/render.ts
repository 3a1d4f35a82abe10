/** `iptables-save` text of compiled rules: the form `iptables-restore` accepts and users read. */
import { formatSavedProbability } from './probability.js';
import { BUILTIN_CHAINS, type Chain, type CompiledRules, type Match, type Rule, type Target } from './rules.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/** iptables-save's order for `-m recent`: action, its options, then the list name, mask and side. */
function renderRecent(m: Extract<Match, { kind: 'recent' }>): string {
  const options =
    m.action === 'rcheck' ? [m.seconds !== undefined && `--seconds ${m.seconds}`, m.reap && '--reap'] : [];
  return ['-m recent', `--${m.action}`, ...options, `--name ${m.name}`, '--mask 255.255.255.255', '--rsource']
    .filter(Boolean)
    .join(' ');
}

const SAFE_UNQUOTED = /^[A-Za-z0-9_-]+$/;

/** iptables' `xtables_save_string`: bare when only `[A-Za-z0-9_-]`, else double-quoted with `"`, `\` and `'` escaped. */
function saveString(text: string): string {
  return SAFE_UNQUOTED.test(text) ? text : `"${text.replace(/["\\']/g, (c) => `\\${c}`)}"`;
}

function renderMatch(m: Match): string {
  switch (m.kind) {
    case 'comment':
      return `-m comment --comment ${saveString(m.text)}`;
    case 'l4':
      return m.dport === undefined ? `-m ${m.protocol}` : `-m ${m.protocol} --dport ${m.dport}`;
    case 'conntrack':
      return `-m conntrack --ctstate ${m.ctstate.join(',')}`;
    case 'mark':
      return `-m mark ${m.negate ? '! ' : ''}--mark ${hex(m.value)}/${hex(m.mask)}`;
    case 'addrtype':
      return [
        '-m addrtype',
        m.srcType && `--src-type ${m.srcType}`,
        m.dstType && `${m.invertDst ? '! ' : ''}--dst-type ${m.dstType}`,
      ]
        .filter(Boolean)
        .join(' ');
    case 'recent':
      return renderRecent(m);
    case 'statistic':
      return `-m statistic --mode random --probability ${formatSavedProbability(m.threshold)}`;
  }
}

function renderTarget(t: Target): string | undefined {
  switch (t.kind) {
    case 'none':
      return undefined;
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
  let line = `-A ${chain}`;
  // iptables stores `-s 0.0.0.0/0` as "any source" and iptables-save leaves it out.
  if (rule.source && (rule.source.negate || !rule.source.cidr.endsWith('/0')))
    line += ` ${rule.source.negate ? '! ' : ''}-s ${rule.source.cidr}`;
  if (rule.destination) line += ` -d ${rule.destination}`;
  if (rule.protocol) line += ` -p ${rule.protocol}`;
  for (const m of rule.matches) line += ` ${renderMatch(m)}`;
  const target = renderTarget(rule.target);
  return target === undefined ? line : `${line} ${target}`;
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
 * Built-in chain headers (`:PREROUTING ACCEPT [0:0]`) are omitted: kube-proxy's restore input declares only its
 * own chains (docs/network-model.md#the-iptables-save-text).
 */
export function renderIptablesSave(
  compiled: CompiledRules,
  tables: (keyof CompiledRules)[] = ['filter', 'nat'],
): string {
  return tables.flatMap((t) => renderTable(t, compiled[t])).join('\n') + '\n';
}
