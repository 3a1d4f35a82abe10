/**
 * Every kubectl flow of issue 4, driven with the real kubectl against one server process, for several
 * client versions. Each test works in its own namespace so that the tests stay independent.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectlPath, kubectlVersion, runKubectl, storeManifest, type KubectlRun } from '../helpers/kubectl.js';
import { eventually } from '../helpers/eventually.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

/** A kubectl client under test. */
interface Client {
  tag: string;
  binary: string;
}

const clients: Client[] = [
  { tag: 'v32', binary: kubectlPath },
  { tag: 'v29', binary: kubectlVersion(29) },
  { tag: 'v27', binary: kubectlVersion(27) },
];

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
  // `kubectl edit` runs this instead of an interactive editor: it rewrites the label tier=old.
  const editor = join(dir.path, 'editor.sh');
  await writeFile(editor, `#!/bin/sh\nsed -i 's/tier: old/tier: edited/' "$1"\n`);
  await chmod(editor, 0o755);
  process.env.KUBE_EDITOR = editor;
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

/** kubectl bound to one client version, with its own discovery cache. */
function kubectlFor(client: Client) {
  const options = () => ({
    kubeconfig: server.kubeconfigPath,
    cacheDir: join(dir.path, `cache-${client.tag}`),
    binary: client.binary,
  });
  const run = (...args: string[]) => runKubectl(options(), ...args);
  const ok = async (...args: string[]) => {
    const result = await run(...args);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await ok(...args, '-o', 'json'));
  /** Runs kubectl with `input` on its stdin (the second half of a shell pipe). */
  const piped = (input: string, ...args: string[]) =>
    new Promise<KubectlRun>((resolve) => {
      const { kubeconfig, cacheDir, binary } = options();
      const child = execFile(
        binary,
        ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
        { timeout: 60_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
        },
      );
      child.stdin!.end(input);
    });
  /** Starts a long-running kubectl (a watch, a waiting delete); `waitFor` resolves once its stdout matches. */
  const background = (...args: string[]) => {
    const { kubeconfig, cacheDir, binary } = options();
    const child = spawn(binary, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<KubectlRun>((r) =>
      child.once('exit', (code) => r({ code: code ?? -1, stdout, stderr })),
    );
    return {
      exited,
      stdout: () => stdout,
      waitFor: (pattern: RegExp) =>
        eventually(
          async () => assert.match(stdout, pattern, `kubectl ${args.join(' ')} printed:\n${stdout}${stderr}`),
          15_000,
        ),
      stop: async () => {
        child.kill('SIGTERM');
        await exited;
      },
    };
  };
  return { run, ok, json, piped, background };
}

/** store.yaml moved into namespace `ns`, optionally with the Service port changed. */
async function storeManifestIn(ns: string, servicePort = 80): Promise<string> {
  const text = (await readFile(storeManifest, 'utf8'))
    .replace(/^(\s+)name: store$/m, `$1name: ${ns}`)
    .replace(/namespace: store\b/g, `namespace: ${ns}`)
    .replace(/^(\s+)port: 80$/m, `$1port: ${servicePort}`);
  assert.ok(!/namespace: store\b/.test(text) && text.includes(`port: ${servicePort}`), text);
  const path = join(dir.path, `${ns}-store.yaml`);
  await writeFile(path, text);
  return path;
}

interface ManagedField {
  manager: string;
  operation: string;
  fieldsV1?: Record<string, unknown>;
}

/** The managers whose managedFields entry owns `spec.selector.<key>`. */
function selectorOwners(obj: { metadata: { managedFields?: ManagedField[] } }, key: string): string[] {
  const owns = (f: ManagedField) => {
    const spec = f.fieldsV1?.['f:spec'] as Record<string, Record<string, unknown>> | undefined;
    return spec?.['f:selector']?.[`f:${key}`] !== undefined;
  };
  return (obj.metadata.managedFields ?? []).filter(owns).map((f) => f.manager);
}

/** The object without what a metadata-only write is allowed to change. */
function withoutWriteBookkeeping(obj: {
  metadata: Record<string, unknown> & { annotations?: Record<string, string> };
}) {
  const { resourceVersion: _rv, managedFields: _mf, annotations = {}, ...metadata } = obj.metadata;
  const { 'kubectl.kubernetes.io/last-applied-configuration': _applied, ...kept } = annotations;
  return { ...obj, metadata: { ...metadata, annotations: kept } };
}

for (const client of clients) {
  describe(`kubectl ${client.tag}`, () => {
    const kubectl = kubectlFor(client);
    const ns = async (name: string) => {
      const namespace = `${client.tag}-${name}`;
      await kubectl.ok('create', 'namespace', namespace);
      return namespace;
    };
    /** A pod in `namespace`, waited for until it is Ready. */
    const readyPod = async (namespace: string, name: string, labels = 'app=x,tier=old') => {
      await kubectl.ok('-n', namespace, 'run', name, '--image=nginx', `--labels=${labels}`);
      await kubectl.ok('-n', namespace, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=20s');
      return kubectl.json('-n', namespace, 'get', 'pod', name);
    };

    test('apply -f store.yaml: created, a changed Service port configured (SMP delete directive), then unchanged', async () => {
      const namespace = `${client.tag}-store-csa`;
      const first = await kubectl.ok('apply', '-f', await storeManifestIn(namespace));
      for (const obj of [`namespace/${namespace}`, 'pod/fe-test', 'pod/be-prod', 'pod/db', 'service/store-be'])
        assert.match(first, new RegExp(`^${obj} created$`, 'm'));
      const changed = await kubectl.run('apply', '-f', await storeManifestIn(namespace, 81), '-v=8');
      assert.equal(changed.code, 0, changed.stderr);
      assert.match(changed.stdout, /^service\/store-be configured$/m);
      assert.match(changed.stdout, /^pod\/fe-test unchanged$/m);
      // The PATCH body (logged at -v=8, JSON-escaped by newer clients) carries the list directives.
      assert.match(changed.stderr, /\$setElementOrder\/ports\\*":\[\{\\*"port\\*":81\}\]/);
      assert.match(changed.stderr, /\{\\*"\$patch\\*":\\*"delete\\*",\\*"port\\*":80\}/);
      const svc = await kubectl.json('-n', namespace, 'get', 'svc', 'store-be');
      assert.deepEqual(
        svc.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]),
        [['http', 81]],
      );
      const again = await kubectl.ok('apply', '-f', await storeManifestIn(namespace, 81));
      assert.equal(
        again
          .trim()
          .split('\n')
          .filter((line) => !line.endsWith(' unchanged'))
          .join('\n'),
        '',
      );
    });

    test('apply --server-side: creates, re-applies a change, conflicts between managers unless --force-conflicts', async () => {
      const namespace = `${client.tag}-store-ssa`;
      const first = await kubectl.ok('apply', '--server-side', '-f', await storeManifestIn(namespace));
      assert.match(first, /^service\/store-be serverside-applied$/m);
      const created = await kubectl.json('-n', namespace, 'get', 'svc', 'store-be', '--show-managed-fields');
      assert.ok(
        created.metadata.managedFields.some((f: ManagedField) => f.manager === 'kubectl' && f.operation === 'Apply'),
        JSON.stringify(created.metadata.managedFields),
      );
      const second = await kubectl.ok('apply', '--server-side', '-f', await storeManifestIn(namespace, 82));
      assert.match(second, /^service\/store-be serverside-applied$/m);
      const svc = await kubectl.json('-n', namespace, 'get', 'svc', 'store-be');
      assert.deepEqual(
        svc.spec.ports.map((p: { port: number }) => p.port),
        [82],
      );

      const selectorManifest = async (app: string) => {
        const path = join(dir.path, `${namespace}-contested-${app}.yaml`);
        await writeFile(
          path,
          `apiVersion: v1\nkind: Service\nmetadata: {name: contested, namespace: ${namespace}}\nspec:\n  selector: {app: ${app}}\n  ports: [{port: 80}]\n`,
        );
        return path;
      };
      await kubectl.ok('apply', '--server-side', '--field-manager=a', '-f', await selectorManifest('one'));
      const conflict = await kubectl.run(
        'apply',
        '--server-side',
        '--field-manager=b',
        '-f',
        await selectorManifest('two'),
      );
      assert.equal(conflict.code, 1, conflict.stdout);
      assert.match(conflict.stderr, /conflict with "a"/);
      assert.match(conflict.stderr, /\.spec\.selector\.app/);
      assert.equal((await kubectl.json('-n', namespace, 'get', 'svc', 'contested')).spec.selector.app, 'one');
      await kubectl.ok(
        'apply',
        '--server-side',
        '--field-manager=b',
        '--force-conflicts',
        '-f',
        await selectorManifest('two'),
      );
      const forced = await kubectl.json('-n', namespace, 'get', 'svc', 'contested', '--show-managed-fields');
      assert.equal(forced.spec.selector.app, 'two');
      assert.deepEqual(selectorOwners(forced, 'app'), ['b']);
    });

    test('wait --for=condition=Ready, then describe pod and describe svc', async () => {
      const namespace = await ns('describe');
      const pod = await readyPod(namespace, 'p');
      assert.match(pod.status.podIP, /^\d+\.\d+\.\d+\.\d+$/);
      const describedPod = await kubectl.ok('-n', namespace, 'describe', 'pod', 'p');
      assert.match(describedPod, /^Status:\s+Running$/m);
      assert.match(describedPod, new RegExp(`^IP:\\s+${pod.status.podIP}$`, 'm'));
      await kubectl.ok('-n', namespace, 'expose', 'pod', 'p', '--port=80', '--target-port=8080');
      const svc = await kubectl.json('-n', namespace, 'get', 'svc', 'p');
      await eventually(async () => {
        const describedSvc = await kubectl.ok('-n', namespace, 'describe', 'svc', 'p');
        assert.match(describedSvc, new RegExp(`^IP:\\s+${svc.spec.clusterIP}$`, 'm'));
        assert.match(describedSvc, new RegExp(`^Endpoints:\\s+${pod.status.podIP}:8080$`, 'm'));
      });
    });

    test('get pods -w --output-watch-events: ADDED, then MODIFIED when a label changes', async () => {
      const namespace = await ns('watch');
      await readyPod(namespace, 'p');
      const watch = kubectl.background('-n', namespace, 'get', 'pods', '-w', '--output-watch-events', '-L', 'watched');
      try {
        await watch.waitFor(/^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+WATCHED$/m);
        await watch.waitFor(/^ADDED\s+p\s+1\/1\s+Running\s/m);
        await kubectl.ok('-n', namespace, 'label', 'pod', 'p', 'watched=yes');
        await watch.waitFor(/^MODIFIED\s+p\s+1\/1\s+Running\s.*\syes$/m);
        const rows = watch.stdout().trimEnd().split('\n').slice(1);
        assert.deepEqual(
          rows.filter((row) => !/^(ADDED|MODIFIED)\s+p\s/.test(row)),
          [],
          'only events of pod p, no bookmark rows',
        );
      } finally {
        await watch.stop();
      }
    });

    test('get all lists pods and services', async () => {
      const namespace = await ns('all');
      await readyPod(namespace, 'p');
      await kubectl.ok('-n', namespace, 'expose', 'pod', 'p', '--port=80');
      const out = await kubectl.ok('-n', namespace, 'get', 'all');
      assert.match(out, /^pod\/p\s+1\/1\s+Running\s/m);
      assert.match(out, /^service\/p\s+ClusterIP\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s/m);
    });

    test('label, unlabel and annotate', async () => {
      const namespace = await ns('label');
      await readyPod(namespace, 'p');
      assert.equal((await kubectl.ok('-n', namespace, 'label', 'pod', 'p', 'a=b')).trim(), 'pod/p labeled');
      assert.equal((await kubectl.json('-n', namespace, 'get', 'pod', 'p')).metadata.labels.a, 'b');
      assert.equal((await kubectl.ok('-n', namespace, 'label', 'pod', 'p', 'a-')).trim(), 'pod/p unlabeled');
      assert.deepEqual((await kubectl.json('-n', namespace, 'get', 'pod', 'p')).metadata.labels, {
        app: 'x',
        tier: 'old',
      });
      // kubectl 1.27 prints "annotate", later versions "annotated".
      assert.match(await kubectl.ok('-n', namespace, 'annotate', 'pod', 'p', 'k=v'), /^pod\/p annotated?$/m);
      assert.equal((await kubectl.json('-n', namespace, 'get', 'pod', 'p')).metadata.annotations.k, 'v');
    });

    test('patch --type=merge, --type=json and the default strategic merge', async () => {
      const namespace = await ns('patch');
      const before = await readyPod(namespace, 'p');
      await kubectl.ok(
        '-n',
        namespace,
        'patch',
        'pod',
        'p',
        '--type=merge',
        '-p',
        '{"metadata":{"labels":{"merged":"1","tier":null}}}',
      );
      await kubectl.ok(
        '-n',
        namespace,
        'patch',
        'pod',
        'p',
        '--type=json',
        '-p',
        '[{"op":"add","path":"/metadata/labels/json","value":"2"}]',
      );
      // Containers merge by name: only the image of `p` changes, its other fields stay.
      await kubectl.ok(
        '-n',
        namespace,
        'patch',
        'pod',
        'p',
        '-p',
        '{"metadata":{"labels":{"strategic":"3"}},"spec":{"containers":[{"name":"p","image":"nginx:1.27"}]}}',
      );
      const after = await kubectl.json('-n', namespace, 'get', 'pod', 'p');
      assert.deepEqual(after.metadata.labels, { app: 'x', merged: '1', json: '2', strategic: '3' });
      assert.deepEqual(after.spec.containers, [{ ...before.spec.containers[0], image: 'nginx:1.27' }]);
      const failedTest = await kubectl.run(
        '-n',
        namespace,
        'patch',
        'pod',
        'p',
        '--type=json',
        '-p',
        '[{"op":"test","path":"/metadata/labels/app","value":"nope"}]',
      );
      assert.equal(failedTest.code, 1);
      // kube-apiserver's bare 422 for an operation it cannot apply (no causes), as kubectl prints it.
      assert.equal(
        failedTest.stderr.trim(),
        'The request is invalid: the server rejected our request due to an error in our request',
      );
      assert.equal((await kubectl.json('-n', namespace, 'get', 'pod', 'p')).metadata.labels.app, 'x');
    });

    test('replace -f: current resourceVersion replaces, a stale one is a Conflict', async () => {
      const namespace = await ns('replace');
      await readyPod(namespace, 'p');
      const path = join(dir.path, `${namespace}-p.yaml`);
      await writeFile(
        path,
        (await kubectl.ok('-n', namespace, 'get', 'pod', 'p', '-o', 'yaml')).replace('tier: old', 'tier: replaced'),
      );
      assert.equal((await kubectl.ok('replace', '-f', path)).trim(), 'pod/p replaced');
      assert.equal((await kubectl.json('-n', namespace, 'get', 'pod', 'p')).metadata.labels.tier, 'replaced');
      const stale = await kubectl.run('replace', '-f', path);
      assert.equal(stale.code, 1, stale.stdout);
      assert.match(
        stale.stderr,
        /Error from server \(Conflict\): .*Operation cannot be fulfilled on pods "p": the object has been modified/,
      );
    });

    test('edit through KUBE_EDITOR', async () => {
      const namespace = await ns('edit');
      await readyPod(namespace, 'p');
      const out = await kubectl.ok('-n', namespace, 'edit', 'pod', 'p');
      assert.equal(out.trim(), 'pod/p edited');
      assert.deepEqual((await kubectl.json('-n', namespace, 'get', 'pod', 'p')).metadata.labels, {
        app: 'x',
        tier: 'edited',
      });
    });

    test('expose pod: the selector is the pod labels, Endpoints follow the pod', async () => {
      const namespace = await ns('expose');
      const pod = await readyPod(namespace, 'p');
      assert.equal((await kubectl.ok('-n', namespace, 'expose', 'pod', 'p', '--port=80')).trim(), 'service/p exposed');
      const svc = await kubectl.json('-n', namespace, 'get', 'svc', 'p');
      assert.deepEqual(svc.spec.selector, { app: 'x', tier: 'old' });
      assert.deepEqual(
        svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]),
        [[80, 80]],
      );
      await eventually(async () => {
        const ep = await kubectl.json('-n', namespace, 'get', 'endpoints', 'p');
        assert.deepEqual(
          ep.subsets?.[0]?.addresses?.map((a: { ip: string }) => a.ip),
          [pod.status.podIP],
        );
      });
    });

    test('delete pod returns once it is gone (also when a finalizer holds it); delete -l; --ignore-not-found', async () => {
      const namespace = await ns('delete');
      await readyPod(namespace, 'p');
      assert.equal((await kubectl.ok('-n', namespace, 'delete', 'pod', 'p')).trim(), 'pod "p" deleted');
      const gone = await kubectl.run('-n', namespace, 'get', 'pod', 'p');
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /Error from server \(NotFound\): pods "p" not found/);

      await kubectl.ok('-n', namespace, 'run', 'x1', '--image=nginx', '--labels=app=x');
      await kubectl.ok('-n', namespace, 'run', 'x2', '--image=nginx', '--labels=app=x');
      await kubectl.ok('-n', namespace, 'run', 'y1', '--image=nginx', '--labels=app=y');
      const deleted = await kubectl.ok('-n', namespace, 'delete', 'pods', '-l', 'app=x');
      assert.deepEqual(deleted.trim().split('\n').sort(), ['pod "x1" deleted', 'pod "x2" deleted']);
      assert.equal(await kubectl.ok('-n', namespace, 'get', 'pods', '-o', 'name'), 'pod/y1\n');

      await kubectl.piped(
        `apiVersion: v1\nkind: Pod\nmetadata: {name: held, namespace: ${namespace}, finalizers: [example.com/hold]}\nspec: {containers: [{name: c, image: nginx}]}\n`,
        'create',
        '-f',
        '-',
      );
      const deleting = kubectl.background('-n', namespace, 'delete', 'pod', 'held');
      try {
        await deleting.waitFor(/^pod "held" deleted$/m);
        await eventually(async () =>
          assert.ok((await kubectl.json('-n', namespace, 'get', 'pod', 'held')).metadata.deletionTimestamp),
        );
        // kubectl still waiting has no event of its own: give it half a second in which it must not exit.
        const stillWaiting = await Promise.race([
          deleting.exited,
          new Promise((r) => setTimeout(() => r('waiting'), 500)),
        ]);
        assert.equal(stillWaiting, 'waiting', 'kubectl delete waits while a finalizer holds the pod');
        await kubectl.ok(
          '-n',
          namespace,
          'patch',
          'pod',
          'held',
          '--type=json',
          '-p',
          '[{"op":"remove","path":"/metadata/finalizers"}]',
        );
        const finished = await deleting.exited;
        assert.equal(finished.code, 0, finished.stderr);
      } finally {
        await deleting.stop();
      }
      assert.equal((await kubectl.run('-n', namespace, 'get', 'pod', 'held')).code, 1);

      const ignored = await kubectl.run('-n', namespace, 'delete', 'pod', 'nope', '--ignore-not-found');
      assert.deepEqual([ignored.code, ignored.stdout, ignored.stderr], [0, '', '']);
      const missing = await kubectl.run('-n', namespace, 'delete', 'pod', 'nope');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    });

    test('get pod -o yaml | apply -f - changes nothing but the last-applied bookkeeping', async () => {
      const namespace = await ns('roundtrip');
      await readyPod(namespace, 'p');
      const before = await kubectl.json('-n', namespace, 'get', 'pod', 'p');
      const yaml = await kubectl.ok('-n', namespace, 'get', 'pod', 'p', '-o', 'yaml');
      const applied = await kubectl.piped(yaml, 'apply', '-f', '-');
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /^pod\/p (configured|unchanged)$/m);
      const after = await kubectl.json('-n', namespace, 'get', 'pod', 'p');
      assert.deepEqual(withoutWriteBookkeeping(after), withoutWriteBookkeeping(before));
      assert.ok(after.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    });
  });
}
