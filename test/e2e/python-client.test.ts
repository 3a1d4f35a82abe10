/**
 * The official Python client (Debian's python3-kubernetes, which `.ci/run` installs) against the
 * real server: test/e2e/python-client.py lists, creates, reads, patches, watches, reads a pod's log,
 * asks for the version, discovers through the DynamicClient and deletes, printing `ok <what>` per check.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

/** Debian's interpreter, where python3-kubernetes lives (a pyenv python3 earlier on PATH would not see it). */
const python = '/usr/bin/python3';
const script = fileURLToPath(new URL('./python-client.py', import.meta.url));

/** Why the test cannot run here, or undefined when the client is importable. */
function missingClient(): string | undefined {
  try {
    execFileSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `python3-kubernetes is not importable by ${python} (apt-get install python3-kubernetes, as .ci/run does)`;
  }
}

const skip = missingClient();
let server: ServerProcess | undefined;
let dir: Awaited<ReturnType<typeof scratchDir>> | undefined;

before(async () => {
  if (skip) return;
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('the official Python client works unchanged: CRUD, watch, pod log, version and dynamic discovery', async (t) => {
  if (skip) return t.skip(skip);
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(python, [script, server!.kubeconfigPath, dir!.path], { timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    ),
  );
  assert.equal(code, 0, `python-client.py failed:\n${stdout}\n${stderr}`);
  const checks = stdout.trim().split('\n');
  assert.deepEqual(
    checks.map((line) => line.replace(/ (v1\.\S+|clusterIP=\S+|\d+ lines)$/, '')),
    [
      'ok version',
      'ok list_namespace',
      'ok namespace create/read/patch',
      'ok service create/read/patch',
      'ok pod create/read Running',
      'ok watch ADDED web',
      'ok read_namespaced_pod_log',
      'ok dynamic discovery pods, ingresses',
      'ok delete pod, service, namespace',
    ],
  );
  assert.match(checks[0], /^ok version v1\.32\.0/);
  assert.match(checks[6], /^ok read_namespaced_pod_log 4 lines$/);
});
