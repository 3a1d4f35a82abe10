import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dump } from 'js-yaml';
import { kubectlOk as kubectlOkIn, runKubectl } from '../helpers/kubectl.js';
import { scratchDir, startServerProcess, type ServerProcess } from '../helpers/process.js';

let server: ServerProcess;
let dir: Awaited<ReturnType<typeof scratchDir>>;

const kubectlOptions = () => ({ kubeconfig: server.kubeconfigPath, cacheDir: join(dir.path, 'kube-cache') });
const kubectl = (...args: string[]) => runKubectl(kubectlOptions(), ...args);
const kubectlOk = (...args: string[]) => kubectlOkIn(kubectlOptions(), ...args);

/** A CRD whose spec carries a cross-field rule and whose color may never change. */
function gadgetCrd(maxRule: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.example.kplane.io' },
    spec: {
      group: 'example.kplane.io',
      scope: 'Namespaced',
      names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  'x-kubernetes-validations': [{ rule: maxRule, message: 'replicas must be at most maxReplicas' }],
                  properties: {
                    replicas: { type: 'integer' },
                    maxReplicas: { type: 'integer' },
                    color: {
                      type: 'string',
                      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'color is immutable' }],
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

const gadget = (spec: Record<string, unknown>) =>
  dump({ apiVersion: 'example.kplane.io/v1', kind: 'Gadget', metadata: { name: 'g' }, spec });

async function apply(name: string, yaml: string) {
  const file = join(dir.path, name);
  await writeFile(file, yaml);
  return kubectl('apply', '-f', file);
}

before(async () => {
  dir = await scratchDir();
  server = await startServerProcess(dir.path);
});

after(async () => {
  await server?.stop();
  await dir?.remove();
});

test('kubectl: a CRD whose rule does not compile is refused; its rules refuse objects with message and path', async () => {
  const broken = await apply('broken.yaml', dump(gadgetCrd('self.replicas <=')));
  assert.notEqual(broken.code, 0);
  assert.match(
    broken.stderr,
    /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.x-kubernetes-validations\[0\]\.rule: Invalid value: apiextensions\.ValidationRule\{Rule:"self\.replicas <=".*compilation failed: ERROR: <input>:1:15/,
  );

  const crd = await apply('crd.yaml', dump(gadgetCrd('self.replicas <= self.maxReplicas')));
  assert.equal(crd.code, 0, crd.stderr);

  const tooMany = await apply('too-many.yaml', gadget({ replicas: 3, maxReplicas: 2, color: 'red' }));
  assert.notEqual(tooMany.code, 0);
  assert.match(
    tooMany.stderr,
    /^The Gadget "g" is invalid: spec: Invalid value: "object": replicas must be at most maxReplicas$/m,
  );

  const created = await apply('ok.yaml', gadget({ replicas: 1, maxReplicas: 2, color: 'red' }));
  assert.equal(created.stdout.trim(), 'gadget.example.kplane.io/g created', created.stderr);

  // color's rule reads oldSelf: a transition rule, skipped on create, checked on update.
  const recolored = await kubectl('patch', 'gadget', 'g', '--type=merge', '-p', '{"spec":{"color":"blue"}}');
  assert.notEqual(recolored.code, 0);
  assert.match(recolored.stderr, /spec\.color: Invalid value: "string": color is immutable/);
  const scaled = await kubectlOk('patch', 'gadget', 'g', '--type=merge', '-p', '{"spec":{"replicas":2}}');
  assert.equal(scaled.trim(), 'gadget.example.kplane.io/g patched');
});
