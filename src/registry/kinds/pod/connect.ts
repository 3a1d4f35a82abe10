import type { ConnectSubresource } from '../../resource.js';

/**
 * Nothing runs in a simulated pod, so there is no process to exec into, attach to or forward a
 * port to. kube-apiserver answers a request its pod cannot serve (exec into a completed pod, a
 * container that does not exist) with 400 BadRequest (pkg/registry/core/pod/strategy.go
 * ExecLocation/streamLocation), so these are 400s too: the request is valid, the pod cannot take it.
 */
const notRunning = (what: string) =>
  `kplane simulates pods: no container process runs in them, so there is nothing to ${what}`;

/** The Pod's connect subresources as kube-apiserver's discovery lists them (pods/log is served from the kubelet's log). */
export const podConnect: { readonly [subresource: string]: ConnectSubresource } = {
  log: { kind: 'Pod', verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'], unsupported: notRunning('exec into') },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'], unsupported: notRunning('attach to') },
  portforward: {
    kind: 'PodPortForwardOptions',
    verbs: ['create', 'get'],
    unsupported: notRunning('forward a port to'),
  },
};
