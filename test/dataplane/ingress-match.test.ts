import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IngressSchema, type Ingress } from '../../src/registry/kinds/ingress/schema.js';
import { ServiceSchema, type Service } from '../../src/registry/kinds/service/schema.js';
import {
  hostMatches,
  matchLength,
  pathMatches,
  urlMapPaths,
  type PathType,
} from '../../src/dataplane/ingress/match.js';
import { buildUrlMap, routeRequest, type ServiceLookup, type UrlMap } from '../../src/dataplane/ingress/url-map.js';

const UID = 'uid1';

// ---- hosts ----------------------------------------------------------------------------------

const hostCases: { rule: string | undefined; request: string; want: boolean }[] = [
  { rule: undefined, request: 'anything.example', want: true },
  { rule: '', request: 'anything.example', want: true },
  { rule: 'foo.bar.com', request: 'foo.bar.com', want: true },
  { rule: 'foo.bar.com', request: 'FOO.Bar.com', want: true },
  { rule: 'foo.bar.com', request: 'foo.bar.com:8080', want: true },
  { rule: 'foo.bar.com', request: 'bar.com', want: false },
  { rule: 'foo.bar.com', request: 'x.foo.bar.com', want: false },
  { rule: '*.foo.com', request: 'bar.foo.com', want: true },
  { rule: '*.foo.com', request: 'BAR.foo.com:80', want: true },
  { rule: '*.foo.com', request: 'baz.bar.foo.com', want: false },
  { rule: '*.foo.com', request: 'foo.com', want: false },
  { rule: '*.foo.com', request: '.foo.com', want: false },
  { rule: '*.foo.com', request: 'barfoo.com', want: false },
  { rule: '[::1]', request: '[::1]:80', want: true },
];
for (const tc of hostCases) {
  test(`host: rule ${JSON.stringify(tc.rule)} vs ${tc.request} → ${tc.want}`, () =>
    assert.equal(hostMatches(tc.rule, tc.request), tc.want));
}

// ---- the examples table of kubernetes.io's Ingress page ("Examples") ---------------------------

type RulePath = { pathType: PathType; path: string };
const normative: { kind: string; paths: RulePath[]; request: string; want: RulePath | undefined }[] = [];
const row = (kind: string, paths: RulePath[], requests: string[], want: RulePath | undefined) => {
  for (const request of requests) normative.push({ kind, paths, request, want });
};
const P = (path: string): RulePath => ({ pathType: 'Prefix', path });
const E = (path: string): RulePath => ({ pathType: 'Exact', path });

row('Prefix', [P('/')], ['/', '/foo', '/foo/bar/', '/aaa/bbb?x=1'], P('/'));
row('Exact', [E('/foo')], ['/foo'], E('/foo'));
row('Exact', [E('/foo')], ['/bar'], undefined);
row('Exact', [E('/foo')], ['/foo/'], undefined);
row('Exact', [E('/foo/')], ['/foo'], undefined);
row('Prefix', [P('/foo')], ['/foo', '/foo/'], P('/foo'));
row('Prefix', [P('/foo/')], ['/foo', '/foo/'], P('/foo/'));
row('Prefix', [P('/aaa/bb')], ['/aaa/bbb'], undefined);
row('Prefix', [P('/aaa/bbb')], ['/aaa/bbb'], P('/aaa/bbb'));
row('Prefix', [P('/aaa/bbb/')], ['/aaa/bbb'], P('/aaa/bbb/'));
row('Prefix', [P('/aaa/bbb')], ['/aaa/bbb/'], P('/aaa/bbb'));
row('Prefix', [P('/aaa/bbb')], ['/aaa/bbb/ccc'], P('/aaa/bbb'));
row('Prefix', [P('/aaa/bbb')], ['/aaa/bbbxyz'], undefined);
row('Prefix', [P('/'), P('/aaa')], ['/aaa/ccc'], P('/aaa'));
row('Prefix', [P('/'), P('/aaa'), P('/aaa/bbb')], ['/aaa/bbb'], P('/aaa/bbb'));
row('Prefix', [P('/'), P('/aaa'), P('/aaa/bbb')], ['/ccc'], P('/'));
row('Prefix', [P('/aaa')], ['/ccc'], undefined);
row('Mixed', [P('/foo'), E('/foo')], ['/foo'], E('/foo'));

function service(name: string, spec: Record<string, unknown> = {}, namespace = 'default'): Service {
  return ServiceSchema.parse({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, uid: `${name}-uid` },
    spec: {
      type: 'NodePort',
      ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30000 + name.length }],
      ...spec,
    },
  });
}

function lookup(...services: Service[]): ServiceLookup {
  return (ns, name) => services.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
}

function ingress(spec: Record<string, unknown>, namespace = 'default'): Ingress {
  return IngressSchema.parse({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace },
    spec,
  });
}

const backendTo = (name: string, port: Record<string, unknown> = { number: 80 }) => ({ service: { name, port } });

function pathsIngress(paths: RulePath[]): Ingress {
  return ingress({ rules: [{ http: { paths: paths.map((p) => ({ ...p, backend: backendTo('svc') })) } }] });
}

for (const tc of normative) {
  const label = `${tc.kind} ${tc.paths.map((p) => `${p.pathType} ${p.path}`).join(', ')} ← ${tc.request}`;
  test(`normative: ${label} → ${tc.want ? `${tc.want.pathType} ${tc.want.path}` : 'default backend'}`, () => {
    const result = routeRequest(
      buildUrlMap(pathsIngress(tc.paths), lookup(service('svc')), UID),
      'example.com',
      tc.request,
    );
    assert.deepEqual(result.rule && { pathType: result.rule.pathType, path: result.rule.path }, tc.want);
    if (tc.paths.length === 1)
      assert.equal(
        pathMatches(tc.paths[0].pathType, tc.paths[0].path, tc.request.split('?')[0]),
        tc.want !== undefined,
      );
  });
}

// ---- ImplementationSpecific (GCE glob) and URL-map paths -----------------------------------

const globCases: { rule: string; request: string; want: boolean }[] = [
  { rule: '/foo/*', request: '/foo/', want: true },
  { rule: '/foo/*', request: '/foo/bar/baz', want: true },
  { rule: '/foo/*', request: '/foo', want: false },
  { rule: '/foo/*', request: '/foobar', want: false },
  { rule: '/foo', request: '/foo', want: true },
  { rule: '/foo', request: '/foo/', want: false },
  { rule: '/*', request: '/', want: true },
  { rule: '/*', request: '/anything/at/all', want: true },
  { rule: '', request: '/x', want: true },
];
for (const tc of globCases) {
  test(`ImplementationSpecific: ${JSON.stringify(tc.rule)} vs ${tc.request} → ${tc.want}`, () => {
    assert.equal(pathMatches('ImplementationSpecific', tc.rule, tc.request), tc.want);
  });
}

const gcePathCases: { type: PathType; path: string; want: string[]; length: number }[] = [
  { type: 'Prefix', path: '/foo', want: ['/foo', '/foo/*'], length: 4 },
  { type: 'Prefix', path: '/foo/', want: ['/foo', '/foo/*'], length: 4 },
  { type: 'Prefix', path: '/', want: ['/*'], length: 0 },
  { type: 'Exact', path: '/foo', want: ['/foo'], length: 4 },
  { type: 'ImplementationSpecific', path: '/foo/*', want: ['/foo/*'], length: 5 },
  { type: 'ImplementationSpecific', path: '', want: ['/*'], length: 1 },
];
for (const tc of gcePathCases) {
  test(`url-map paths: ${tc.type} ${JSON.stringify(tc.path)} → ${tc.want.join(' ')}`, () => {
    assert.deepEqual(urlMapPaths(tc.type, tc.path), tc.want);
    assert.equal(matchLength(tc.type, tc.path), tc.length);
  });
}

// ---- scenario 21: path routing -----------------------------------------------------------------

const customers = service('customers-be', { ports: [{ name: 'http', port: 80, nodePort: 31001 }] });
const products = service('products-be', { ports: [{ name: 'http', port: 80, nodePort: 31002 }] });

function shopIngress(extraPaths: object[] = [], defaultBackend?: object): Ingress {
  return ingress({
    defaultBackend,
    rules: [
      {
        http: {
          paths: [
            { path: '/customers', pathType: 'Prefix', backend: backendTo('customers-be') },
            { path: '/products', pathType: 'Prefix', backend: backendTo('products-be') },
            ...extraPaths,
          ],
        },
      },
    ],
  });
}

test('scenario 21: /products/42 goes to products-be through /products/*', () => {
  const map = buildUrlMap(shopIngress(), lookup(customers, products), UID);
  assert.deepEqual(map.errors, []);
  const result = routeRequest(map, '86.73.50.9', '/products/42');
  assert.deepEqual(result.backend, {
    service: { namespace: 'default', name: 'products-be' },
    servicePort: 80,
    nodePort: 31002,
    backendService: 'k8s-be-31002--uid1',
  });
  assert.deepEqual(result.rule?.urlMapPaths, ['/products', '/products/*']);
  assert.match(result.reason, /\/products\/\*/);
  assert.match(result.reason, /k8s-be-31002--uid1/);
});

test('scenario 21: /productsX matches nothing and there is no default backend', () => {
  const result = routeRequest(buildUrlMap(shopIngress(), lookup(customers, products), UID), '86.73.50.9', '/productsX');
  assert.equal(result.backend, undefined);
  assert.equal(result.rule, undefined);
  assert.match(result.reason, /no path there matches "\/productsX".*404/);
});

test('scenario 21: Exact /products beats Prefix /products for GET /products, in any YAML order', () => {
  const exact = { path: '/products', pathType: 'Exact', backend: backendTo('customers-be') };
  const map = buildUrlMap(shopIngress([exact]), lookup(customers, products), UID);
  const result = routeRequest(map, 'shop.example', '/products');
  assert.equal(result.rule?.pathType, 'Exact');
  assert.equal(result.backend?.service.name, 'customers-be');
  assert.equal(routeRequest(map, 'shop.example', '/products/1').backend?.service.name, 'products-be');
});

// ---- scenario 22 and other translation errors -------------------------------------------------

test('scenario 22: a ClusterIP backend is a translation error; its requests fall to the default backend', () => {
  const clusterIP = service('customers-be', { type: 'ClusterIP', ports: [{ name: 'http', port: 80 }] });
  const fallback = service('fallback-be', { ports: [{ port: 8080, nodePort: 31999 }] });
  const map = buildUrlMap(
    shopIngress([], backendTo('fallback-be', { number: 8080 })),
    lookup(clusterIP, products, fallback),
    UID,
  );
  assert.deepEqual(map.errors, [
    'Translation failed: service "default/customers-be" is type "ClusterIP", expected "NodePort" or "LoadBalancer"',
  ]);
  assert.deepEqual(
    map.rules.map((r) => r.path),
    ['/products'],
  );
  const result = routeRequest(map, 'shop.example', '/customers');
  assert.equal(result.backend?.service.name, 'fallback-be');
  assert.equal(result.backend?.backendService, 'k8s-be-31999--uid1');
  assert.match(result.reason, /spec\.defaultBackend/);
});

const errorCases: {
  name: string;
  services: Service[];
  port?: Record<string, unknown>;
  backend?: object;
  want: string;
}[] = [
  { name: 'missing service', services: [], want: 'Translation failed: could not find service "default/api"' },
  {
    name: 'missing port number',
    services: [service('api')],
    port: { number: 8080 },
    want: 'Translation failed: could not find port "8080" in service "default/api"',
  },
  {
    name: 'missing port name',
    services: [service('api')],
    port: { name: 'grpc' },
    want: 'Translation failed: could not find port "grpc" in service "default/api"',
  },
  {
    name: 'no port at all',
    services: [service('api')],
    port: {},
    want: 'Translation failed: backend of service "default/api" names no port',
  },
  {
    name: 'LoadBalancer without nodePort',
    services: [service('api', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] })],
    want: 'Translation failed: port "80" of service "default/api" has no nodePort',
  },
  {
    name: 'ExternalName service',
    services: [service('api', { type: 'ExternalName', externalName: 'x.example', ports: [{ port: 80 }] })],
    want: 'Translation failed: service "default/api" is type "ExternalName", expected "NodePort" or "LoadBalancer"',
  },
  {
    name: 'resource backend',
    services: [],
    backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'assets' } },
    want: 'Translation failed: backend has no service (resource backends are not supported by GCE)',
  },
];
for (const tc of errorCases) {
  test(`translation error: ${tc.name}`, () => {
    const backend = tc.backend ?? backendTo('api', tc.port ?? { number: 80 });
    const twice = [
      { path: '/a', pathType: 'Prefix', backend },
      { path: '/b', pathType: 'Prefix', backend },
    ];
    const map = buildUrlMap(ingress({ rules: [{ http: { paths: twice } }] }), lookup(...tc.services), UID);
    assert.deepEqual(map.errors, [tc.want], 'one error per distinct message');
    assert.deepEqual(map.rules, []);
  });
}

test('translation: an unknown pathType drops the path with an error', () => {
  const map = buildUrlMap(
    ingress({ rules: [{ http: { paths: [{ path: '/a', pathType: 'Regex', backend: backendTo('svc') }] } }] }),
    lookup(service('svc')),
    UID,
  );
  assert.deepEqual(map.errors, ['Translation failed: path "/a" has unsupported pathType "Regex"']);
  assert.deepEqual(map.rules, []);
});

test('translation: a bad default backend is an error and leaves no default', () => {
  const map = buildUrlMap(ingress({ defaultBackend: backendTo('gone') }), lookup(), UID);
  assert.deepEqual(map, { rules: [], errors: ['Translation failed: could not find service "default/gone"'] });
});

test('translation: named ports, LoadBalancer services and the Ingress namespace', () => {
  const lb = service('api', { type: 'LoadBalancer', ports: [{ name: 'web', port: 443, nodePort: 32443 }] }, 'shop');
  const map = buildUrlMap(
    ingress(
      { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('api', { name: 'web' }) }] } }] },
      'shop',
    ),
    lookup(lb),
    'c0ffee',
  );
  assert.deepEqual(map.errors, []);
  assert.deepEqual(map.rules[0].backend, {
    service: { namespace: 'shop', name: 'api' },
    servicePort: 'web',
    nodePort: 32443,
    backendService: 'k8s-be-32443--c0ffee',
  });
});

test('translation: a missing pathType reads as ImplementationSpecific (v1beta1 default)', () => {
  const map = buildUrlMap(
    ingress({ rules: [{ http: { paths: [{ path: '/static/*', backend: backendTo('svc') }] } }] }),
    lookup(service('svc')),
    UID,
  );
  assert.equal(map.rules[0].pathType, 'ImplementationSpecific');
  assert.equal(routeRequest(map, 'h', '/static/app.js').rule?.path, '/static/*');
  assert.equal(routeRequest(map, 'h', '/static').rule, undefined);
});

test('translation: the url map is plain JSON with rules in precedence order', () => {
  const map = buildUrlMap(
    ingress({
      defaultBackend: backendTo('svc'),
      rules: [
        { http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('svc') }] } },
        { host: '*.foo.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('svc') }] } },
        {
          host: 'a.foo.com',
          http: {
            paths: [
              { path: '/x', pathType: 'Prefix', backend: backendTo('svc') },
              { path: '/x/y', pathType: 'Prefix', backend: backendTo('svc') },
            ],
          },
        },
      ],
    }),
    lookup(service('svc')),
    UID,
  );
  assert.deepEqual(JSON.parse(JSON.stringify(map)), map);
  assert.deepEqual(
    map.rules.map((r) => `${r.host ?? '*'} ${r.path}`),
    ['a.foo.com /x/y', 'a.foo.com /x', '*.foo.com /', '* /'],
  );
  assert.equal('host' in map.rules[3], false);
});

test('translation: YAML order of paths and rules does not change the map', () => {
  const paths = [
    { path: '/', pathType: 'Prefix', backend: backendTo('svc') },
    { path: '/a', pathType: 'Exact', backend: backendTo('svc') },
    { path: '/a', pathType: 'Prefix', backend: backendTo('svc') },
    { path: '/a/b/*', pathType: 'ImplementationSpecific', backend: backendTo('svc') },
  ];
  const rules = (p: object[]) => [{ host: 'x.com', http: { paths: p } }, { http: { paths: p } }];
  const forward = buildUrlMap(ingress({ rules: rules(paths) }), lookup(service('svc')), UID);
  const reversed = buildUrlMap(ingress({ rules: rules([...paths].reverse()).reverse() }), lookup(service('svc')), UID);
  assert.deepEqual(reversed, forward);
});

test('translation: a later rule for the same host replaces the earlier one; a repeated path keeps the later backend', () => {
  const map = buildUrlMap(
    ingress({
      rules: [
        { host: 'x.com', http: { paths: [{ path: '/old', pathType: 'Prefix', backend: backendTo('a') }] } },
        {
          host: 'x.com',
          http: {
            paths: [
              { path: '/new', pathType: 'Prefix', backend: backendTo('a') },
              { path: '/new', pathType: 'Prefix', backend: backendTo('b') },
            ],
          },
        },
      ],
    }),
    lookup(service('a'), service('b')),
    UID,
  );
  assert.deepEqual(
    map.rules.map((r) => `${r.path} ${r.backend.service.name}`),
    ['/new b'],
  );
});

// ---- host precedence -------------------------------------------------------------------------

function hostsMap(): UrlMap {
  const rule = (host: string | undefined, path: string, svc: string) => ({
    host,
    http: { paths: [{ path, pathType: 'Prefix', backend: backendTo(svc) }] },
  });
  return buildUrlMap(
    ingress({
      rules: [
        rule(undefined, '/', 'any-host'),
        rule('*.foo.com', '/', 'wildcard'),
        rule('bar.foo.com', '/api', 'exact'),
      ],
    }),
    lookup(service('any-host'), service('wildcard'), service('exact')),
    UID,
  );
}

const hostPrecedenceCases: {
  host: string;
  path: string;
  policy: 'most-specific' | 'fallthrough';
  want: string | undefined;
}[] = [
  { host: 'bar.foo.com', path: '/api/v1', policy: 'most-specific', want: 'exact' },
  { host: 'BAR.foo.com:443', path: '/api', policy: 'most-specific', want: 'exact' },
  { host: 'baz.foo.com', path: '/api', policy: 'most-specific', want: 'wildcard' },
  { host: 'deep.baz.foo.com', path: '/api', policy: 'most-specific', want: 'any-host' },
  { host: 'other.org', path: '/', policy: 'most-specific', want: 'any-host' },
  // GCE: the exact host owns the request even when none of its paths match.
  { host: 'bar.foo.com', path: '/web', policy: 'most-specific', want: undefined },
  { host: 'bar.foo.com', path: '/web', policy: 'fallthrough', want: 'wildcard' },
];
for (const tc of hostPrecedenceCases) {
  test(`host precedence (${tc.policy}): ${tc.host}${tc.path} → ${tc.want ?? 'no backend'}`, () => {
    const result = routeRequest(hostsMap(), tc.host, tc.path, { hostSelection: tc.policy });
    assert.equal(result.backend?.service.name, tc.want);
    assert.ok(result.reason.length > 0);
  });
}

test('routing: with no rule host admitting the request, the reason says so', () => {
  const map = buildUrlMap(
    ingress({
      rules: [{ host: 'x.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backendTo('svc') }] } }],
    }),
    lookup(service('svc')),
    UID,
  );
  const result = routeRequest(map, 'y.com', '/');
  assert.equal(result.backend, undefined);
  assert.match(result.reason, /^No rule host admits host "y\.com"/);
});
