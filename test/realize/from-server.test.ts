import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { realizeInputFromServer } from '../../src/dataplane/realize/from-server.js';
import type { RealizeInput } from '../../src/dataplane/realize/input.js';

const items = (list: unknown[]) => JSON.stringify({ items: list });
const meta = (name: string, namespace?: string) => ({ metadata: { name, namespace } });

/** What a kplane server answers, by path. */
const answers: Record<string, { type: string; body: string }> = {
  '/apis/network.kplane.io/v1alpha1/nodedataplanes': {
    type: 'application/json',
    body: items([
      {
        ...meta('vm1'),
        status: { internalIP: '10.240.0.2', externalIP: '35.0.0.1', podCIDR: '10.11.0.0/24', canIpForward: true },
      },
      { ...meta('vm2'), status: { internalIP: '10.240.0.3', podCIDR: '10.11.5.0/24', canIpForward: false } },
      { ...meta('vm3'), status: { internalIP: '10.240.0.4' } },
    ]),
  },
  '/apis/network.kplane.io/v1alpha1/nodedataplanes/vm1/iptables': {
    type: 'text/plain',
    body: '*nat\n-A POSTROUTING -j KUBE-POSTROUTING\nCOMMIT\n',
  },
  '/apis/network.kplane.io/v1alpha1/nodedataplanes/vm2/iptables': { type: 'text/plain', body: '*filter\nCOMMIT\n' },
  '/api/v1/pods': {
    type: 'application/json',
    body: items([
      { ...meta('a', 'default'), spec: { nodeName: 'vm1' }, status: { phase: 'Running', podIP: '10.11.0.9' } },
      { ...meta('pending', 'default'), spec: {}, status: { phase: 'Pending' } },
      {
        ...meta('hostnet', 'kube-system'),
        spec: { nodeName: 'vm1', hostNetwork: true },
        status: { phase: 'Running', podIP: '10.240.0.2' },
      },
      { ...meta('done', 'default'), spec: { nodeName: 'vm2' }, status: { phase: 'Succeeded', podIP: '10.11.5.7' } },
      { ...meta('on-vm3', 'default'), spec: { nodeName: 'vm3' }, status: { phase: 'Running', podIP: '10.11.8.2' } },
    ]),
  },
  '/apis/compute.kplane.io/v1alpha1/routes': {
    type: 'application/json',
    body: items([{ ...meta('r1'), spec: { destRange: '10.11.0.0/24', nextHopInstance: 'vm1', priority: 1000 } }]),
  },
  '/apis/compute.kplane.io/v1alpha1/firewalls': {
    type: 'application/json',
    body: items([
      { ...meta('gke-all'), spec: { sourceRanges: ['10.11.0.0/16'], allowed: [{ protocol: 'all' }], priority: 1000 } },
    ]),
  },
  '/apis/compute.kplane.io/v1alpha1/forwardingrules': {
    type: 'application/json',
    body: items([
      {
        ...meta('lb-healthy'),
        spec: {
          ipAddress: '86.75.30.9',
          protocol: 'TCP',
          ports: ['80', '8080-8081'],
          target: { nodes: ['vm1', 'vm2'] },
        },
        status: {
          backends: [
            { node: 'vm1', healthy: true },
            { node: 'vm2', healthy: false },
          ],
        },
      },
      {
        ...meta('lb-fail-open'),
        spec: { ipAddress: '86.75.30.10', protocol: 'UDP', target: { nodes: ['vm1', 'vm2'] } },
        status: { backends: [{ node: 'vm1', healthy: false }] },
      },
      { ...meta('l7'), spec: { ipAddress: '86.73.50.9', protocol: 'TCP', ports: ['80'], target: { urlMap: {} } } },
    ]),
  },
};

const seen: { path: string; auth?: string }[] = [];
let server: http.Server;
let got: { input: RealizeInput; warnings: string[] };

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url!, auth: req.headers.authorization });
    const answer = answers[req.url!];
    res.writeHead(answer ? 200 : 404, { 'content-type': answer?.type ?? 'text/plain' });
    res.end(answer?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  got = await realizeInputFromServer(
    { server: url, token: 'tok' },
    { vpcCIDR: '10.240.0.0/16', clusterCIDR: '10.11.0.0/16', internetHosts: ['8.8.8.8'] },
  );
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('from a server: nodes with their iptables text; a node without a pod CIDR is left out with a warning', () => {
  assert.deepEqual(got.input.nodes, [
    {
      name: 'vm1',
      internalIP: '10.240.0.2',
      externalIP: '35.0.0.1',
      podCIDR: '10.11.0.0/24',
      canIpForward: true,
      iptablesSave: '*nat\n-A POSTROUTING -j KUBE-POSTROUTING\nCOMMIT\n',
    },
    {
      name: 'vm2',
      internalIP: '10.240.0.3',
      externalIP: undefined,
      podCIDR: '10.11.5.0/24',
      canIpForward: false,
      iptablesSave: '*filter\nCOMMIT\n',
    },
  ]);
  assert.deepEqual(got.warnings, ['node vm3 left out: no internal IP or pod CIDR yet']);
});

test('from a server: only running pods with their own IP on a realized node', () => {
  assert.deepEqual(got.input.pods, [{ namespace: 'default', name: 'a', node: 'vm1', ip: '10.11.0.9' }]);
});

test('from a server: routes, firewalls and the caller-supplied ranges', () => {
  assert.deepEqual(got.input.routes, [{ destRange: '10.11.0.0/24', nextHopNode: 'vm1', priority: 1000 }]);
  assert.deepEqual(got.input.firewalls, [
    { sourceRanges: ['10.11.0.0/16'], allowed: [{ protocol: 'all' }], targetNodes: undefined },
  ]);
  assert.deepEqual(
    [got.input.vpcCIDR, got.input.clusterCIDR, got.input.internetHosts],
    ['10.240.0.0/16', '10.11.0.0/16', ['8.8.8.8']],
  );
});

test('from a server: network LBs send to healthy VMs, or fail open to all; HTTP LBs are not network LBs', () => {
  assert.deepEqual(got.input.loadBalancers, [
    { ip: '86.75.30.9', protocol: 'TCP', ports: [80, 8080, 8081], nodes: ['vm1'] },
    { ip: '86.75.30.10', protocol: 'UDP', ports: [], nodes: ['vm1', 'vm2'] },
  ]);
});

test('from a server: every request carries the bearer token', () => {
  assert.ok(seen.length >= 7);
  assert.ok(seen.every((s) => s.auth === 'Bearer tok'));
});
