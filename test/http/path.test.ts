import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResourcePath, type ResourcePath } from '../../src/http/path.js';
import { builtinKinds } from '../../src/registry/kinds/index.js';

const lookup = (group: string, version: string, plural: string) =>
  builtinKinds.find((rt) => rt.group === group && rt.version === version && rt.plural === plural);

/** The decoded path as `plural ns name sub watch`, `-` for what is absent; `none` when nothing matches. */
function summary(p: ResourcePath | undefined): string {
  if (!p) return 'none';
  return [p.rt.plural, p.namespace ?? '-', p.name ?? '-', p.subresource ?? '-', p.watchPrefix ? 'watch' : '-'].join(
    ' ',
  );
}

const cases: [string, string][] = [
  ['/api/v1/pods', 'pods - - - -'],
  ['/api/v1/pods/', 'pods - - - -'],
  ['/api/v1/namespaces/default/pods/', 'pods default - - -'],
  ['/api/v1/namespaces/default/pods/web/', 'pods default web - -'],
  ['/api/v1/namespaces/default/pods/web/status/', 'pods default web status -'],
  ['/api/v1/namespaces/', 'namespaces - - - -'],
  ['/api/v1/', 'none'],
  ['/api/v1/watch/pods', 'pods - - - watch'],
  ['/api/v1/watch/pods/', 'pods - - - watch'],
  ['/api/v1/watch/namespaces/default/pods', 'pods default - - watch'],
  ['/api/v1/watch/namespaces/default/pods/web', 'pods default web - watch'],
  ['/api/v1/watch/namespaces', 'namespaces - - - watch'],
  ['/api/v1/watch/namespaces/default', 'namespaces - default - watch'],
  ['/api/v1/watch/nodes/vm1', 'nodes - vm1 - watch'],
  ['/apis/networking.k8s.io/v1/watch/ingresses', 'ingresses - - - watch'],
  ['/apis/networking.k8s.io/v1/watch/namespaces/store/ingresses/web', 'ingresses store web - watch'],
  ['/api/v1/watch/namespaces/default/pods/web/status', 'none'],
  ['/api/v1/watch', 'none'],
  ['/api/v1/watch/widgets', 'none'],
];

test('resource paths decode as kube-apiserver RequestInfo does: trailing slashes and the watch prefix', () => {
  for (const [path, want] of cases) assert.equal(summary(parseResourcePath(path, lookup)), want, path);
});
