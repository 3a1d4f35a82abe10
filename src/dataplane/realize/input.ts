/**
 * What `realize` builds the real network from: plain data, so it can come from a running server
 * (over the API) or from in-process objects (tests), independently of either.
 */

/** One VM of the cluster. */
export interface RealizeNode {
  name: string;
  /** Primary internal address (eth0), inside `vpcCIDR`. */
  internalIP: string;
  /** GCP's 1:1 NAT address; absent = the VM cannot reach the internet. */
  externalIP?: string;
  podCIDR: string;
  /** false = the VPC drops packets the VM sends from, or that are for, an address that is not its own. */
  canIpForward: boolean;
  /** The node's rules in `iptables-save` form (kube-proxy + ip-masq-agent), as the API serves them. */
  iptablesSave: string;
}

/** A pod with an IP, on `node`. */
export interface RealizePod {
  namespace: string;
  name: string;
  node: string;
  ip: string;
}

/** A compute.kplane.io Route: `destRange` goes to the VM `nextHopNode`. */
interface RealizeRoute {
  destRange: string;
  nextHopNode: string;
  /** GCP route priority (lower wins among equal prefixes; equal ones share flows); default 1000. */
  priority?: number;
}

/** A compute.kplane.io Firewall (ingress allow rule). */
export interface RealizeFirewall {
  sourceRanges: string[];
  /** `protocol`: tcp, udp, icmp, all (any case); `ports`: `"80"` or `"30000-32767"`, none = all. */
  allowed: { protocol: string; ports?: string[] }[];
  /** Absent or empty = every node. */
  targetNodes?: string[];
}

/** A network load balancer's forwarding rule and the VMs it sends to (the healthy ones, or all when failing open). */
export interface RealizeLoadBalancer {
  ip: string;
  protocol: 'TCP' | 'UDP';
  /** Empty = every port. */
  ports: number[];
  nodes: string[];
}

/** The cluster's network, as `realize` builds it. */
export interface RealizeInput {
  /** The VMs' subnet; its first host address is the gateway every VM routes through. */
  vpcCIDR: string;
  /** For the record: nothing is built from it (each node's rules already carry it). */
  clusterCIDR: string;
  nodes: RealizeNode[];
  pods: RealizePod[];
  routes: RealizeRoute[];
  firewalls: RealizeFirewall[];
  loadBalancers?: RealizeLoadBalancer[];
  /** Public addresses that live in the "internet" namespace, e.g. 8.8.8.8, 198.51.100.7. */
  internetHosts: string[];
}

/** How `realize` builds it. */
export interface RealizeOptions {
  /**
   * Ports every responder (pods and internet hosts) listens on, TCP and UDP, reporting the port it
   * was reached on. Any other port is answered too, through a catch-all DNAT, but reported as port 0.
   */
  ports?: number[];
}

/** The responders' default explicit ports: DNS, HTTP(S), Postgres and the usual app ports of the scenarios. */
export const DEFAULT_RESPONDER_PORTS: readonly number[] = [53, 80, 443, 5432, 8080, 9090];
