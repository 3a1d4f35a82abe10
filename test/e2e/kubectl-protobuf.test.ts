import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlVersion, runKubectl } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;
before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
});
after(async () => {
  await server?.stop();
  await dir?.remove();
});

// kubectl ≥ 1.32 sends these as Kubernetes protobuf, with no JSON fallback.
for (const minor of [32, 33]) {
  test(`kubectl 1.${minor} create namespace|service|ingress (protobuf bodies)`, async () => {
    const kubectl = async (...args: string[]) => {
      const run = await runKubectl(
        { kubeconfig: server.kubeconfigPath, cacheDir: `${dir.path}/cache-${minor}`, binary: kubectlVersion(minor) },
        ...args,
      );
      assert.equal(run.code, 0, `kubectl ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };
    const ns = `team-${minor}`;
    await kubectl('create', 'namespace', ns);
    await kubectl('-n', ns, 'create', 'service', 'nodeport', 'np', '--tcp=5678:8080', `--node-port=${30000 + minor}`);
    await kubectl('-n', ns, 'create', 'ingress', 'web', '--rule=foo.com/bar=np:5678,tls=my-cert');
    const svc = JSON.parse(await kubectl('-n', ns, 'get', 'service', 'np', '-o', 'json'));
    assert.deepEqual(
      svc.spec.ports.map((p: { port: number; targetPort: number; nodePort: number }) => [
        p.port,
        p.targetPort,
        p.nodePort,
      ]),
      [[5678, 8080, 30000 + minor]],
    );
    assert.equal(svc.spec.type, 'NodePort');
    const ing = JSON.parse(await kubectl('-n', ns, 'get', 'ingress', 'web', '-o', 'json'));
    assert.equal(ing.spec.rules[0].host, 'foo.com');
    assert.equal(ing.spec.rules[0].http.paths[0].backend.service.port.number, 5678);
    assert.deepEqual(ing.spec.tls, [{ hosts: ['foo.com'], secretName: 'my-cert' }]);
  });
}
