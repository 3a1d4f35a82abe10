/** A service port's endpoints as kube-proxy's endpoint cache sees them (kube-proxy's `CategorizeEndpoints`). */
import type { Service, ServicePort } from '../../registry/kinds/service/schema.js';
import type { EndpointSlice } from '../../registry/kinds/endpointslice/schema.js';

/** One endpoint of a service port. */
export interface EndpointInfo {
  ip: string;
  port: number;
  isLocal: boolean;
  ready: boolean;
  servingTerminating: boolean;
}

/** `"ip:port"`, the endpoint's identity and sort key. */
export const endpointKey = (ep: EndpointInfo): string => `${ep.ip}:${ep.port}`;

const byKey = (a: EndpointInfo, b: EndpointInfo): number => {
  const ka = endpointKey(a);
  const kb = endpointKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

const sliceName = (s: EndpointSlice): string => s.metadata.name ?? '';

/**
 * The service port's endpoints from the Service's slices, de-duplicated and sorted by the
 * `"ip:port"` string. An endpoint listed twice keeps the later non-terminating entry (upstream's
 * rule); slices are read in name order so the result does not depend on the order they arrived in.
 */
export function collectEndpoints(
  svc: Service,
  port: ServicePort,
  slices: readonly EndpointSlice[],
  nodeName: string,
): EndpointInfo[] {
  const unique = new Map<string, EndpointInfo>();
  const ordered = [...slices].sort((a, b) => (sliceName(a) < sliceName(b) ? -1 : sliceName(a) > sliceName(b) ? 1 : 0));
  for (const slice of ordered) {
    if (slice.metadata.namespace !== svc.metadata.namespace) continue;
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== svc.metadata.name) continue;
    const slicePort = slice.ports?.find((p) => p.name === (port.name ?? '') && p.protocol === port.protocol);
    if (slicePort?.port === undefined) continue;
    for (const ep of slice.endpoints) {
      const ip = ep.addresses[0];
      if (!ip) continue;
      // Upstream reads an unset `ready` as ready and an unset `serving` as `ready`.
      const ready = ep.conditions?.ready ?? true;
      const serving = ep.conditions?.serving ?? ready;
      const terminating = ep.conditions?.terminating === true;
      const info = {
        ip,
        port: slicePort.port,
        isLocal: ep.nodeName === nodeName,
        ready,
        servingTerminating: serving && terminating,
      };
      if (!terminating || !unique.has(endpointKey(info))) unique.set(endpointKey(info), info);
    }
  }
  return [...unique.values()].sort(byKey);
}

/** Ready endpoints, or serving-and-terminating ones when none is ready (`CategorizeEndpoints`, no topology hints). */
export function usable(endpoints: EndpointInfo[]): EndpointInfo[] {
  const ready = endpoints.filter((ep) => ep.ready);
  return ready.length > 0 ? ready : endpoints.filter((ep) => ep.servingTerminating);
}
