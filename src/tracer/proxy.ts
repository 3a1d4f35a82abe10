/**
 * The HTTP(S) load balancer in front of an Ingress (GCLB; docs/network-model.md#ingress): a proxy that ends the
 * client's connection, picks a backend by the URL map (host, path), then opens a new connection
 * from a Google Front End address to a healthy VM's nodePort, where kube-proxy takes over. Replies
 * come back to the front end inside Google's network, and the proxy answers the client from the
 * Ingress address.
 */
import type { Packet } from '../dataplane/netfilter/packet.js';
import { routeRequest } from '../dataplane/ingress/url-map.js';
import { addressAt, formatIPv4 } from '../net/ipv4.js';
import { hash32 } from './choices.js';
import { reversed, tupleKey } from './conntrack.js';
import { addHop, drop, type ProxiedConnection, type WalkContext, type WalkEnd } from './walk.js';
import { backendPool, GOOGLE_FRONT_END_RANGES, noHealthyBackend } from './vpc.js';
import type { HttpLoadBalancerView } from './view.js';

/** A front-end address and ephemeral port for the proxy's connection, fixed per client flow. */
function frontEndSocket(client: Packet): { ip: string; port: number } {
  const h = hash32(tupleKey(client));
  return { ip: formatIPv4(addressAt(GOOGLE_FRONT_END_RANGES[0], 1 + (h % 1022))), port: 32768 + ((h >>> 10) % 28232) };
}

/** The proxy: URL map, backend VM, new connection. */
export function throughProxy(ctx: WalkContext, lb: HttpLoadBalancerView, packet: Packet): WalkEnd {
  const request = ctx.http ?? { host: packet.dst, path: '/' };
  const route = routeRequest(lb.urlMap, request.host, request.path);
  const map = (lb.urlMap as { name?: string }).name ?? lb.name;
  if (!route.backend) {
    const message = `${request.host}${request.path} matches no rule of the URL map ${map}, and the Ingress has no default backend (kplane deploys none): the request gets no answer`;
    return drop(ctx, { packet, rule: `url map ${map}` }, 'NoIngressRule', message);
  }
  addHop(ctx, {
    action: 'Proxy',
    packet,
    rule: `url map ${map}: ${request.host}${request.path}`,
    description: route.reason,
  });
  const nodePort = route.backend.nodePort;
  if (!nodePort)
    return drop(
      ctx,
      { packet },
      'NoIngressRule',
      `the backend Service ${route.backend.service.namespace}/${route.backend.service.name} has no nodePort to send the request to`,
    );
  const pool = backendPool(ctx, lb);
  if (pool.length === 0)
    return drop(
      ctx,
      { packet },
      'NoHealthyBackends',
      noHealthyBackend(ctx, `the instance group behind ${map}`, lb.nodes.length),
    );
  const node = ctx.view.node(
    pool[
      ctx.chooser.choose(
        `gclb|${lb.ip}|${nodePort}`,
        pool.map(() => 1 / pool.length),
      )
    ],
  );
  if (!node) return drop(ctx, { packet }, 'NoHealthyBackends', `the instance group names a VM that does not exist`);
  const socket = frontEndSocket(packet);
  const backend: Packet = {
    protocol: 'TCP',
    src: socket.ip,
    srcPort: socket.port,
    dst: node.internalIP,
    dstPort: nodePort,
  };
  ctx.proxied = { client: packet, backend };
  addHop(ctx, {
    action: 'LoadBalance',
    packet: backend,
    rule: `backend service ${route.backend.backendService ?? `port ${nodePort}`}: instance group → ${node.name}`,
    description: `a new connection from the Google Front End to ${node.name}:${nodePort}`,
  });
  return ctx.next.arriveAtVm(ctx, node, backend);
}

/**
 * A reply that reached the front end is the proxy's: it answers the client's connection from the
 * Ingress address, out on the internet again. Undefined when `end` is not the proxy's reply.
 */
export function proxyReply(ctx: WalkContext, proxied: ProxiedConnection, end: WalkEnd): WalkEnd | undefined {
  if (!end.delivered || end.at.kind !== 'google' || tupleKey(end.packet) !== tupleKey(reversed(proxied.backend)))
    return undefined;
  const answer = reversed(proxied.client);
  addHop(ctx, {
    action: 'Proxy',
    packet: answer,
    description: 'the load balancer answers the client on its own connection, from the Ingress address',
  });
  return ctx.next.onInternet(ctx, answer);
}
