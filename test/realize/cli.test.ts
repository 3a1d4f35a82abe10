import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/dataplane/realize/exec.js';
import { REALIZE_USAGE, runRealizeCommand } from '../../src/dataplane/realize/cli.js';
import { listNamespaces, unsupportedReason } from '../../src/dataplane/realize/netns.js';
import { fixtureInput } from './fixture.js';

/** Runs the command with its output captured. */
async function runCaptured(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runRealizeCommand(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

const usageCases = [
  { name: '--help prints the usage', args: ['--help'], code: 0, stdout: REALIZE_USAGE, stderr: '' },
  {
    name: 'an unknown flag is a usage error',
    args: ['--frobnicate'],
    code: 2,
    stdout: '',
    stderr: `kplane: Unknown option '--frobnicate'\n\n${REALIZE_USAGE}`,
  },
  {
    name: 'a port that is not a port is a usage error',
    args: ['--port', '70000'],
    code: 2,
    stdout: '',
    stderr: `kplane: --port 70000: not a port\n\n${REALIZE_USAGE}`,
  },
];
for (const tc of usageCases) {
  test(`cli: ${tc.name}`, async () =>
    assert.deepEqual(await runCaptured(tc.args), { code: tc.code, stdout: tc.stdout, stderr: tc.stderr }));
}

test('cli: the usage names the flags', () => {
  for (const flag of ['--kubeconfig', '--input', '--vpc-cidr', '--internet-host', '--port', '--sweep'])
    assert.ok(REALIZE_USAGE.includes(flag), flag);
});

const cliModule = new URL('../../src/dataplane/realize/cli.ts', import.meta.url).href;

test('cli: realize --input builds the network, answers a probe by hand, and removes it all on SIGINT', async (t) => {
  const why = await unsupportedReason();
  if (why) return t.skip(`cannot realize network namespaces here: ${why}`);
  const dir = await mkdtemp(join(tmpdir(), 'kplane-realize-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'input.json');
  await writeFile(file, JSON.stringify(fixtureInput()));
  const script = `const m = await import(${JSON.stringify(cliModule)}); process.exitCode = await m.runRealizeCommand(['--input', ${JSON.stringify(file)}]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no prompt:\n${out}`)), 60_000);
    child.stdout.on('data', () => out.includes('Ctrl-C removes everything') && (clearTimeout(timer), resolve()));
    void exited.then(() => reject(new Error(`exited early:\n${out}`)));
  });
  const podNs = /pod default\/store-fe-1\s+(\S+)/.exec(out)![1];
  const answer = JSON.parse(
    await run({ argv: ['ip', 'netns', 'exec', podNs, 'bash', '-c', 'cat </dev/tcp/10.11.0.18/5432'] }),
  );
  assert.deepEqual(
    { pod: answer.pod, ip: answer.ip, port: answer.port, peer: answer.peer.ip },
    { pod: 'default/db-1', ip: '10.11.0.18', port: 5432, peer: '10.11.8.68' },
  );
  child.kill('SIGINT');
  assert.equal(await exited, 0, out);
  assert.ok(out.includes('removed.'));
  const prefix = /namespaces prefixed (\S+):/.exec(out)![1];
  assert.deepEqual(
    (await listNamespaces()).filter((n) => n.startsWith(prefix)),
    [],
  );
});
