import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backendServiceName,
  ingressForwardingRuleName,
  ingressLoadBalancerName,
  instanceGroupName,
  instanceGroupNamedPort,
  l7FirewallName,
  lbFirewallName,
  loadBalancerName,
  nodesHealthCheckFirewallName,
  nodesHealthCheckName,
  serviceHealthCheckFirewallName,
  targetHttpProxyName,
  truncateGceName,
  urlMapName,
} from '../../src/dataplane/gce-names.js';

const x = (n: number) => 'x'.repeat(n);
const uid = '0123456789abcdef';

const cases: { name: string; got: () => string; want: string }[] = [
  // L4 (cloud-provider-gcp)
  {
    name: 'lb name strips dashes',
    got: () => loadBalancerName('8e3a1c4f-2b6d-4e1a-9c7b-1234567890ab'),
    want: 'a8e3a1c4f2b6d4e1a9c7b1234567890a',
  },
  { name: 'lb name of a short uid', got: () => loadBalancerName('ab-cd'), want: 'aabcd' },
  {
    name: 'lb firewall',
    got: () => lbFirewallName('a8e3a1c4f2b6d4e1a9c7b1234567890a'),
    want: 'k8s-fw-a8e3a1c4f2b6d4e1a9c7b1234567890a',
  },
  { name: 'nodes health check', got: () => nodesHealthCheckName(uid), want: `k8s-${uid}-node` },
  {
    name: 'nodes health check firewall',
    got: () => nodesHealthCheckFirewallName(uid),
    want: `k8s-${uid}-node-http-hc`,
  },
  {
    name: 'per-service health check firewall',
    got: () => serviceHealthCheckFirewallName('aabcd'),
    want: 'k8s-aabcd-http-hc',
  },
  // L7 (ingress-gce namer_test.go expectations)
  { name: 'backend service', got: () => backendServiceName(80, 'uid1'), want: 'k8s-be-80--uid1' },
  { name: 'backend service port', got: () => backendServiceName(8080, 'uid1'), want: 'k8s-be-8080--uid1' },
  {
    name: 'backend service truncated to 62 + "0"',
    got: () => backendServiceName(8080, x(100)),
    want: `k8s-be-8080--${x(49)}0`,
  },
  { name: 'backend service of a legacy cluster', got: () => backendServiceName(31000, ''), want: 'k8s-be-31000' },
  { name: 'instance group', got: () => instanceGroupName('uid1'), want: 'k8s-ig--uid1' },
  { name: 'instance group named port', got: () => instanceGroupNamedPort(31380), want: 'port31380' },
  { name: 'ingress lb name', got: () => ingressLoadBalancerName('default', 'web', 'uid1'), want: 'default-web--uid1' },
  { name: 'url map', got: () => urlMapName('default', 'web', 'uid1'), want: 'k8s-um-default-web--uid1' },
  { name: 'target proxy', got: () => targetHttpProxyName('default', 'web', 'uid1'), want: 'k8s-tp-default-web--uid1' },
  {
    name: 'forwarding rule',
    got: () => ingressForwardingRuleName('default', 'web', 'uid1'),
    want: 'k8s-fw-default-web--uid1',
  },
  {
    name: 'forwarding rule without uid',
    got: () => ingressForwardingRuleName('default', 'web', ''),
    want: 'k8s-fw-default-web',
  },
  { name: 'l7 firewall', got: () => l7FirewallName('uid1'), want: 'k8s-fw-l7--uid1' },
  { name: 'l7 firewall without uid', got: () => l7FirewallName(''), want: 'k8s-fw-l7' },
  // Long Ingress names: the lb name is truncated first, then the prefixed name again.
  { name: 'long lb name', got: () => ingressLoadBalancerName(x(30), x(30), uid), want: `${x(30)}-${x(30)}-0` },
  { name: 'long url map', got: () => urlMapName(x(30), x(30), uid), want: `k8s-um-${x(30)}-${x(24)}0` },
  { name: 'truncate keeps 62', got: () => truncateGceName(x(62)), want: x(62) },
  { name: 'truncate cuts 63', got: () => truncateGceName(x(63)), want: `${x(62)}0` },
];

for (const tc of cases) test(`gce names: ${tc.name}`, () => assert.equal(tc.got(), tc.want));

test('gce names: every ingress name stays within 63 characters', () => {
  for (let n = 0; n < 80; n++) {
    for (const name of [
      backendServiceName(32767, x(n)),
      urlMapName(x(n), x(n), uid),
      ingressForwardingRuleName('ns', x(n), uid),
      instanceGroupName(x(n)),
    ]) {
      assert.ok(name.length <= 63, `${name} is ${name.length} long`);
    }
  }
});
