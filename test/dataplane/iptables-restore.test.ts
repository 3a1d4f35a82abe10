/**
 * Feeds the compiler's text to Debian's real iptables in a scratch network namespace: both
 * `--test` parsers accept it, a real restore loads it, and `iptables-save` prints back the same
 * rules per chain. Needs root and `ip netns`; skipped (with the reason) otherwise.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { compileNode } from '../../src/dataplane/kube-proxy/compile.js';
import { renderIptablesSave } from '../../src/dataplane/kube-proxy/render.js';
import { sampleCluster } from './sample-cluster.js';

const namespace = `kplane-test-${process.pid}`;

/** A fragment of each kind of rule the compiler emits, to be sure the sample still produces it. */
const RULE_KINDS = [
  '-j REJECT',
  'has no local endpoints',
  'KUBE-SVL-',
  'KUBE-FW-',
  'KUBE-PROXY-FIREWALL -d',
  'recent --rcheck',
  'recent --set',
  'health check node port',
  'external IP',
  'loadbalancer IP',
  'IP-MASQ-AGENT -d',
  '-m statistic',
  '-j DNAT',
];

function run(argv: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8' });
  return {
    status: out.error ? null : out.status,
    stdout: out.stdout ?? '',
    stderr: out.stderr ?? String(out.error ?? ''),
  };
}

const inNamespace = (argv: string[], input?: string) => run(['ip', 'netns', 'exec', namespace, ...argv], input);
const installed = (cmd: string): boolean => run(['sh', '-c', `command -v ${cmd}`]).status === 0;

/** Splits a rule line into words, reading `"…"` with iptables' backslash escapes as one word. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

/** Table → chain → rules (as word lists joined by spaces); built-in chain headers, comments and counters are ignored. */
function parseSave(text: string): Map<string, Map<string, string[]>> {
  const tables = new Map<string, Map<string, string[]>>();
  let chains = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\[\d+:\d+\] /, '').trim();
    if (line.startsWith('*')) tables.set(line.slice(1), (chains = new Map()));
    else if (/^:\S+ - /.test(line))
      chains.set(line.slice(1).split(' ')[0], chains.get(line.slice(1).split(' ')[0]) ?? []);
    else if (line.startsWith('-A ')) {
      const [, chain, ...rest] = words(line);
      if (!chains.has(chain)) chains.set(chain, []);
      chains.get(chain)!.push(rest.join(' '));
    }
  }
  return tables;
}

function assertAccepted(result: { status: number | null; stderr: string }, what: string): void {
  assert.equal(result.status, 0, `${what} failed: ${result.stderr}`);
}

async function checkNode(t: TestContext, node: string, secondParser: string): Promise<void> {
  const text = renderIptablesSave(compileNode({ ...sampleCluster(), nodeName: node }));
  await t.test(`${node}: iptables-restore --test accepts the text`, () =>
    assertAccepted(inNamespace(['iptables-restore', '--test'], text), 'iptables-restore --test'),
  );
  await t.test(`${node}: ${secondParser} --test accepts the text`, () =>
    assertAccepted(inNamespace([secondParser, '--test'], text), `${secondParser} --test`),
  );
  await t.test(`${node}: a real restore loads it and iptables-save prints the same rules per chain`, () => {
    assertAccepted(inNamespace(['iptables-restore'], text), 'iptables-restore');
    const saved = inNamespace(['iptables-save']);
    assertAccepted(saved, 'iptables-save');
    assert.deepEqual(parseSave(saved.stdout), parseSave(text));
  });
}

test('kernel iptables accepts the compiled rules of a cluster exercising every rule kind', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to create a network namespace (CI runs as root)');
  if (!installed('ip') || !installed('iptables-restore'))
    return t.skip('needs `ip` (iproute2) and `iptables-restore` (Debian iptables); .ci/run installs them');
  const secondParser = installed('iptables-legacy-restore') ? 'iptables-legacy-restore' : 'iptables-nft-restore';
  const created = run(['ip', 'netns', 'add', namespace]);
  if (created.status !== 0) return t.skip(`ip netns add ${namespace} failed: ${created.stderr.trim()}`);
  try {
    t.diagnostic(`second parser: ${secondParser}`);
    const all = ['vm1', 'vm4']
      .map((node) => renderIptablesSave(compileNode({ ...sampleCluster(), nodeName: node })))
      .join('\n');
    for (const kind of RULE_KINDS) assert.ok(all.includes(kind), `the sample cluster exercises ${kind}`);
    for (const node of ['vm1', 'vm4']) await checkNode(t, node, secondParser);
  } finally {
    run(['ip', 'netns', 'del', namespace]);
  }
});
