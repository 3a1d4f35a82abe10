/**
 * `kubectl logs` (plain, `--tail`, `--timestamps`, `-c`, `-f`) and `kubectl exec` against the real
 * server: the simulated kubelet writes each container's start and exit to its log.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { kubectlOk, kubectlPath, kubectlVersion, runKubectl } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;
let opts: { kubeconfig: string; cacheDir: string };

const started = (container: string, image: string) => [
  `Pulling image "${image}"`,
  `Successfully pulled image "${image}"`,
  `Created container ${container}`,
  `Started container ${container}`,
];

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  opts = { kubeconfig: server.kubeconfigPath, cacheDir: join(dir.path, 'cache') };
  await kubectlOk(opts, 'run', 'web', '--image=nginx:1.25');
  await eventually(
    async () => assert.match(await kubectlOk(opts, 'logs', 'web'), /Started container web/),
    20_000,
    100,
  );
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('kubectl logs prints the container log; --tail and --timestamps select and stamp lines', async () => {
  assert.equal(await kubectlOk(opts, 'logs', 'web'), started('web', 'nginx:1.25').join('\n') + '\n');
  assert.equal(await kubectlOk(opts, 'logs', 'web', '--tail=1'), 'Started container web\n');
  const stamped = await kubectlOk(opts, 'logs', 'pod/web', '--timestamps', '--tail=2');
  assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z Created container web\n\S+ Started container web\n$/);
});

test('kubectl logs -c picks a container; the server names the choices when none is given', async () => {
  await kubectlOk(
    opts,
    'run',
    'pair',
    '--image=busybox',
    '--overrides',
    JSON.stringify({
      spec: {
        containers: [
          { name: 'a', image: 'busybox' },
          { name: 'b', image: 'redis' },
        ],
      },
    }),
  );
  await eventually(
    async () => assert.match(await kubectlOk(opts, 'logs', 'pair', '-c', 'b'), /Started container b/),
    20_000,
    100,
  );
  assert.equal(await kubectlOk(opts, 'logs', 'pair', '-c', 'b'), started('b', 'redis').join('\n') + '\n');
  const raw = await runKubectl(opts, 'get', '--raw', '/api/v1/namespaces/default/pods/pair/log');
  assert.notEqual(raw.code, 0);
  assert.match(raw.stderr, /a container name must be specified for pod pair, choose one of: \[a b\]/);
  const previous = await runKubectl(opts, 'logs', 'pair', '-c', 'a', '--previous');
  assert.notEqual(previous.code, 0);
  assert.match(previous.stderr, /previous terminated container "a" in pod "pair" not found/);
});

test('kubectl logs -f streams until the container exits, or the pod is deleted', async () => {
  await kubectlOk(opts, 'run', 'job', '--image=busybox');
  await eventually(
    async () => assert.match(await kubectlOk(opts, 'logs', 'job'), /Started container job/),
    20_000,
    100,
  );
  const follow = (pod: string) => {
    const child = spawn(kubectlPath, [
      '--kubeconfig',
      opts.kubeconfig,
      '--cache-dir',
      opts.cacheDir,
      'logs',
      '-f',
      pod,
    ]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { output: () => out, exited };
  };
  const job = follow('job');
  await eventually(async () => assert.match(job.output(), /Started container job/), 10_000, 50);
  await kubectlOk(opts, 'annotate', 'pod', 'job', 'kplane.io/phase=Succeeded');
  assert.equal(await job.exited, 0);
  assert.equal(job.output().split('\n').at(-2), 'Container job exited with code 0 (Completed)');
  const web = follow('web');
  await eventually(async () => assert.match(web.output(), /Started container web/), 10_000, 50);
  await kubectlOk(opts, 'delete', 'pod', 'web', '--wait=false');
  assert.equal(await web.exited, 0);
});

test('kubectl exec, attach and port-forward fail at once with the server saying nothing runs', async () => {
  await kubectlOk(opts, 'run', 'shell', '--image=busybox');
  await eventually(async () => assert.match(await kubectlOk(opts, 'logs', 'shell'), /Started/), 20_000, 100);
  for (const binary of [kubectlPath, kubectlVersion(27)]) {
    const exec = await runKubectl({ ...opts, binary }, 'exec', 'shell', '--', 'ls');
    assert.equal(exec.code, 1, exec.stderr);
    assert.match(
      exec.stderr,
      /kplane simulates pods: no container process runs in them, so there is nothing to exec into/,
    );
  }
  const attach = await runKubectl(opts, 'attach', 'shell');
  assert.match(attach.stderr, /nothing to attach to/);
  assert.notEqual(attach.code, 0);
  const forward = await runKubectl(opts, 'port-forward', 'pod/shell', '18080:80');
  assert.match(forward.stderr, /nothing to forward a port to/);
  assert.notEqual(forward.code, 0);
});
