/**
 * The cluster DNS zone as CoreDNS's `kubernetes` plugin serves it (docs/network-model.md#cluster-dns), built from
 * Services, Endpoints, Pods and Namespaces. Pure: no I/O, no clock (the SOA serial is an option).
 *
 * Every object contributes records to owner names; `apply` replaces one object's contributions and
 * reports which names may now answer differently, so a cache of encoded responses in front of
 * `lookup` can drop exactly those. Answers are computed once per (name, type) and memoized.
 *
 * Rules (CoreDNS plugin/kubernetes, kubernetes/dns docs/specification.md):
 * - ClusterIP Service `<svc>.<ns>.svc.<zone>`: A = its ClusterIPs, whatever its endpoints.
 * - Headless Service: one A per ready endpoint address; no ready address ⇒ the name does not exist.
 * - `<hostname>.<svc>.<ns>.svc.<zone>` per ready address (hostname, else the dashed IP), any Service.
 * - SRV `_<port>._<proto>.<svc>...` for named ports only; the bare Service name answers SRV for every
 *   port. Priority 0, weight floor(100 / n) (at least 1), the target's A records as additionals.
 * - PTR: a ClusterIP names its Service; otherwise every endpoint address with that IP names its
 *   endpoint name.
 * - Pod `a-b-c-d.<ns>.pod.<zone>`: A while a non-terminating pod in `<ns>` has that IP (`pods verified`).
 * - ExternalName ⇒ CNAME for every type; A/AAAA chase the target when it is inside the zone.
 * - `<ns>.svc.<zone>` and `<ns>.pod.<zone>` exist while the namespace does; `dns-version.<zone>` TXT.
 * - Unknown name ⇒ NXDOMAIN, known name without that type ⇒ NOERROR/NODATA, both with the SOA in
 *   authority (the cluster zone's, or `in-addr.arpa`'s for reverse names); any other name ⇒ REFUSED.
 * IPv4 only (dual-stack is not modelled): IPv6 addresses are ignored.
 */
import { isIPv4 } from '../net/ipv4.js';
import type { Answer, SrvAnswer, StringAnswer } from 'dns-packet';
import type { Endpoints } from '../registry/kinds/endpoints/schema.js';
import type { Namespace } from '../registry/kinds/namespace/schema.js';
import type { Pod } from '../registry/kinds/pod/schema.js';
import { isHeadless, type Service } from '../registry/kinds/service/schema.js';

/** CoreDNS's `DNSSchemaVersion`, served as `dns-version.<zone>. TXT`. */
const dnsSchemaVersion = '1.1.0';

/** CoreDNS gives the schema TXT record its own, long TTL. */
const schemaVersionTTL = 28800;

const reverseZone = 'in-addr.arpa';

/** How deep CNAME chasing inside the zone goes before giving up (ExternalName loops). */
const maxChase = 8;

/** The response codes a lookup can give (malformed queries are the server's business). */
type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

/** The sections of a response to one question. Shared and memoized: never mutate. */
export interface LookupResult {
  rcode: Rcode;
  answers: readonly Answer[];
  additionals: readonly Answer[];
  authority: readonly Answer[];
}

export interface ZoneOptions {
  /** The cluster domain, e.g. `cluster.local`. */
  zone: string;
  /** TTL of every record (CoreDNS `ttl`, default 5). */
  ttl: number;
  /** SOA serial; CoreDNS uses the time of the last change, we use the zone's creation time. */
  serial?: number;
}

/** One object added, changed (`deleted` false) or removed. */
export type ZoneChange =
  | { kind: 'Service'; object: Service; deleted: boolean }
  | { kind: 'Endpoints'; object: Endpoints; deleted: boolean }
  | { kind: 'Pod'; object: Pod; deleted: boolean }
  | { kind: 'Namespace'; object: Namespace; deleted: boolean };

/** A record an object puts at an owner name; without `rr`, it only makes the name exist. */
interface Contribution {
  name: string;
  rr?: Answer;
  /** A ClusterIP's PTR, which hides endpoint PTRs for the same IP. */
  preferred?: boolean;
}

interface NameNode {
  byUnit: Map<string, Contribution[]>;
  memo: Map<string, LookupResult>;
}

interface ZoneAnswers {
  nxdomain: LookupResult;
  nodata: LookupResult;
}

const refused: LookupResult = { rcode: 'REFUSED', answers: [], additionals: [], authority: [] };

/** The form names are compared in: lower case, no trailing dot. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `10.11.0.9` → `10-11-0-9`, the label CoreDNS uses for an address without a hostname. */
function dashedIP(ip: string): string {
  return ip.replaceAll('.', '-');
}

/** `10.11.0.9` → `9.0.11.10.in-addr.arpa`. */
function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.${reverseZone}`;
}

/**
 * The zone's record index, updated one object at a time. `lookup` answers from it; `apply`
 * returns the canonical names whose answers may have changed (including names that merely
 * referenced them: SRV targets, CNAME targets, the NS host).
 */
export class ZoneIndex {
  private readonly zone: string;
  private readonly ttl: number;
  private readonly nodes = new Map<string, NameNode>();
  private readonly units = new Map<string, Contribution[]>();
  private readonly services = new Map<string, Service>();
  private readonly endpoints = new Map<string, Endpoints>();
  /** target name → names whose memoized answers were built from it. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly clusterAnswers: ZoneAnswers;
  private readonly reverseAnswers: ZoneAnswers;

  constructor(opts: ZoneOptions) {
    this.zone = canonicalName(opts.zone);
    this.ttl = opts.ttl;
    const serial = opts.serial ?? Math.floor(Date.now() / 1000);
    this.clusterAnswers = negativeAnswers(this.soa(this.zone, serial));
    this.reverseAnswers = negativeAnswers(this.soa(reverseZone, serial));
    this.replaceUnit('static', this.staticRecords());
  }

  /** Applies one object change; returns the names whose answers may differ now. */
  apply(change: ZoneChange): ReadonlySet<string> {
    const { namespace = '', name = '' } = change.object.metadata;
    const key = `${namespace}/${name}`;
    switch (change.kind) {
      case 'Service':
        setOrDelete(this.services, key, change.deleted ? undefined : change.object);
        return this.replaceUnit(`svc:${key}`, this.serviceRecords(key));
      case 'Endpoints':
        setOrDelete(this.endpoints, key, change.deleted ? undefined : change.object);
        return this.replaceUnit(`svc:${key}`, this.serviceRecords(key));
      case 'Pod':
        return this.replaceUnit(`pod:${key}`, change.deleted ? [] : this.podRecords(change.object));
      case 'Namespace':
        return this.replaceUnit(`ns:${name}`, change.deleted ? [] : this.namespaceRecords(name));
    }
  }

  /** Answers one question; `type` is the record type's mnemonic (`A`, `SRV`, …). */
  lookup(name: string, type: string): LookupResult {
    return this.resolve(canonicalName(name), type.toUpperCase(), 0);
  }

  private resolve(qname: string, type: string, depth: number): LookupResult {
    const zone = this.zoneAnswers(qname);
    if (!zone) return refused;
    const node = this.nodes.get(qname);
    if (!node) return zone.nxdomain;
    const memo = node.memo.get(type);
    if (memo) return memo;
    const result = this.compute(qname, node, type, depth) ?? zone.nodata;
    if (result !== zone.nodata) node.memo.set(type, result);
    return result;
  }

  private zoneAnswers(qname: string): ZoneAnswers | undefined {
    if (qname === this.zone || qname.endsWith(`.${this.zone}`)) return this.clusterAnswers;
    if (qname === reverseZone || qname.endsWith(`.${reverseZone}`)) return this.reverseAnswers;
    return undefined;
  }

  /** The answer for a name that exists, or undefined for NODATA. */
  private compute(qname: string, node: NameNode, type: string, depth: number): LookupResult | undefined {
    const matching: Contribution[] = [];
    let cname: Answer | undefined;
    for (const list of node.byUnit.values()) {
      for (const c of list) {
        if (c.rr?.type === 'CNAME') cname = c.rr;
        else if (c.rr?.type === type) matching.push(c);
      }
    }
    if (cname && type !== 'CNAME') return this.chase(qname, cname as StringAnswer, type, depth);
    if (type === 'CNAME' && cname) return positive([cname]);
    if (matching.length === 0) return undefined;
    switch (type) {
      case 'SRV':
        return this.srvAnswer(qname, matching);
      case 'PTR':
        return positive(ptrRecords(matching));
      case 'NS':
        return positive(
          matching.map((c) => c.rr!),
          this.addressesOf(
            qname,
            matching.map((c) => (c.rr as StringAnswer).data),
          ),
        );
      default:
        return positive(
          uniqueBy(
            matching.map((c) => c.rr!),
            (rr) => JSON.stringify((rr as StringAnswer).data),
          ),
        );
    }
  }

  /** ExternalName: the CNAME, followed by the target's addresses when the zone has them. */
  private chase(qname: string, cname: StringAnswer, type: string, depth: number): LookupResult {
    if ((type !== 'A' && type !== 'AAAA') || depth >= maxChase) return positive([cname]);
    const target = canonicalName(cname.data);
    this.depend(target, qname);
    return positive([cname, ...this.resolve(target, type, depth + 1).answers]);
  }

  private srvAnswer(qname: string, matching: Contribution[]): LookupResult {
    const weight = Math.max(1, Math.floor(100 / matching.length));
    const records = uniqueBy(
      matching.map((c) => (c.rr as SrvAnswer).data),
      (d) => `${d.target}:${d.port}`,
    ).map((data): SrvAnswer => ({ type: 'SRV', name: qname, ttl: this.ttl, data: { ...data, priority: 0, weight } }));
    return positive(
      records,
      this.addressesOf(
        qname,
        records.map((r) => r.data.target),
      ),
    );
  }

  /** The A records of `targets`, for the additional section; remembers that `qname` used them. */
  private addressesOf(qname: string, targets: readonly string[]): Answer[] {
    const out: Answer[] = [];
    for (const target of new Set(targets.map(canonicalName))) {
      this.depend(target, qname);
      out.push(...this.resolve(target, 'A', maxChase).answers);
    }
    return out;
  }

  private depend(target: string, dependent: string): void {
    let set = this.dependents.get(target);
    if (!set) this.dependents.set(target, (set = new Set()));
    set.add(dependent);
  }

  /** Swaps one object's contributions and returns every name whose answers may have changed. */
  private replaceUnit(unit: string, next: Contribution[]): Set<string> {
    const touched = new Set<string>();
    for (const c of this.units.get(unit) ?? []) {
      touched.add(c.name);
      const node = this.nodes.get(c.name);
      node?.byUnit.delete(unit);
      if (node?.byUnit.size === 0) this.nodes.delete(c.name);
    }
    setOrDelete(this.units, unit, next.length > 0 ? next : undefined);
    for (const c of next) {
      touched.add(c.name);
      let node = this.nodes.get(c.name);
      if (!node) this.nodes.set(c.name, (node = { byUnit: new Map(), memo: new Map() }));
      const list = node.byUnit.get(unit);
      if (list) list.push(c);
      else node.byUnit.set(unit, [c]);
    }
    const changed = new Set<string>();
    for (const name of touched) this.invalidate(name, changed);
    return changed;
  }

  private invalidate(name: string, changed: Set<string>): void {
    if (changed.has(name)) return;
    changed.add(name);
    this.nodes.get(name)?.memo.clear();
    const deps = this.dependents.get(name);
    this.dependents.delete(name);
    for (const d of deps ?? []) this.invalidate(d, changed);
  }

  private staticRecords(): Contribution[] {
    const zone = this.zone;
    const nsHost = `ns.dns.${zone}`;
    return [
      { name: zone, rr: this.clusterAnswers.nxdomain.authority[0] },
      { name: zone, rr: { type: 'NS', name: zone, ttl: this.ttl, data: nsHost } },
      { name: `svc.${zone}` },
      { name: `pod.${zone}` },
      {
        name: `dns-version.${zone}`,
        rr: { type: 'TXT', name: `dns-version.${zone}`, ttl: schemaVersionTTL, data: dnsSchemaVersion },
      },
      { name: reverseZone, rr: this.reverseAnswers.nxdomain.authority[0] },
    ];
  }

  private namespaceRecords(namespace: string): Contribution[] {
    return [{ name: `${namespace}.svc.${this.zone}` }, { name: `${namespace}.pod.${this.zone}` }];
  }

  private podRecords(pod: Pod): Contribution[] {
    if (pod.metadata.deletionTimestamp) return [];
    const ips = new Set([pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)]);
    return [...ips]
      .filter((ip): ip is string => !!ip && isIPv4(ip))
      .map((ip) => this.a(`${dashedIP(ip)}.${pod.metadata.namespace}.pod.${this.zone}`, ip));
  }

  /** Everything one Service puts in the zone, with its Endpoints (same namespace/name). */
  private serviceRecords(key: string): Contribution[] {
    const svc = this.services.get(key);
    if (!svc) return [];
    const base = `${svc.metadata.name}.${svc.metadata.namespace}.svc.${this.zone}`;
    const spec = svc.spec;
    if (spec.type === 'ExternalName') return externalNameRecords(base, spec.externalName, this.ttl);
    const ready = readyAddresses(this.endpoints.get(key));
    if (isHeadless(spec)) return this.headlessRecords(base, ready);
    const ips = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? '']).filter((ip) => isIPv4(ip));
    if (ips.length === 0) return [];
    const out: Contribution[] = [];
    const isKubeDns = svc.metadata.namespace === 'kube-system' && svc.metadata.name === 'kube-dns';
    for (const ip of ips) {
      out.push(this.a(base, ip), { name: reverseName(ip), rr: this.ptr(reverseName(ip), base), preferred: true });
      if (isKubeDns) out.push(this.a(`ns.dns.${this.zone}`, ip));
    }
    for (const port of spec.ports ?? []) {
      out.push(this.srv(base, port.port, base));
      if (!port.name) continue;
      const portName = `_${port.name}._${port.protocol.toLowerCase()}.${base}`;
      out.push(this.srv(portName, port.port, base), ...ips.map((ip) => this.a(portName, ip)));
    }
    for (const r of ready) out.push(...this.endpointNameRecords(base, r));
    return out;
  }

  private headlessRecords(base: string, ready: ReadyAddress[]): Contribution[] {
    const out: Contribution[] = [];
    for (const r of ready) {
      const host = `${r.hostname}.${base}`;
      out.push(this.a(base, r.ip), ...this.endpointNameRecords(base, r));
      for (const port of r.ports) {
        out.push(this.srv(base, port.port, host));
        if (!port.name) continue;
        const portName = `_${port.name}._${port.protocol.toLowerCase()}.${base}`;
        out.push(this.srv(portName, port.port, host), this.a(portName, r.ip));
      }
    }
    return out;
  }

  /** `<hostname>.<base>`: A, SRV per port, and the address's PTR. */
  private endpointNameRecords(base: string, r: ReadyAddress): Contribution[] {
    const host = `${r.hostname}.${base}`;
    return [
      this.a(host, r.ip),
      { name: reverseName(r.ip), rr: this.ptr(reverseName(r.ip), host) },
      ...r.ports.map((p) => this.srv(host, p.port, host)),
    ];
  }

  private a(name: string, ip: string): Contribution {
    return { name, rr: { type: 'A', name, ttl: this.ttl, data: ip } };
  }

  private ptr(name: string, target: string): Answer {
    return { type: 'PTR', name, ttl: this.ttl, data: target };
  }

  private srv(name: string, port: number, target: string): Contribution {
    return { name, rr: { type: 'SRV', name, ttl: this.ttl, data: { priority: 0, weight: 0, port, target } } };
  }

  private soa(zone: string, serial: number): Answer {
    return {
      type: 'SOA',
      name: zone,
      ttl: Math.min(this.ttl, 300),
      data: {
        mname: `ns.dns.${zone}`,
        rname: `hostmaster.${zone}`,
        serial,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }
}

interface ReadyAddress {
  ip: string;
  hostname: string;
  ports: { name?: string; port: number; protocol: string }[];
}

/** Ready IPv4 addresses; a subset without ports still gives A records (CoreDNS's port -1 sentinel). */
function readyAddresses(ep: Endpoints | undefined): ReadyAddress[] {
  const out: ReadyAddress[] = [];
  for (const subset of ep?.subsets ?? []) {
    for (const addr of subset.addresses ?? []) {
      if (!isIPv4(addr.ip)) continue;
      out.push({
        ip: addr.ip,
        hostname: (addr.hostname || dashedIP(addr.ip)).toLowerCase(),
        ports: subset.ports ?? [],
      });
    }
  }
  return out;
}

/** A CNAME to the external name; an IP there gives nothing (CoreDNS only serves hostnames). */
function externalNameRecords(base: string, externalName: string | undefined, ttl: number): Contribution[] {
  const target = canonicalName(externalName ?? '');
  if (!target || isIPv4(target) || target.includes(':')) return [];
  return [{ name: base, rr: { type: 'CNAME', name: base, ttl, data: target } }];
}

/** A ClusterIP's PTR wins over endpoint PTRs for the same IP; the smallest name breaks ties. */
function ptrRecords(matching: Contribution[]): Answer[] {
  const preferred = matching.filter((c) => c.preferred);
  if (preferred.length > 0) {
    return [preferred.map((c) => c.rr as StringAnswer).sort((x, y) => (x.data < y.data ? -1 : 1))[0]];
  }
  return uniqueBy(
    matching.map((c) => c.rr as StringAnswer),
    (rr) => rr.data,
  );
}

function positive(answers: Answer[], additionals: Answer[] = []): LookupResult {
  return { rcode: 'NOERROR', answers, additionals, authority: [] };
}

function negativeAnswers(soa: Answer): ZoneAnswers {
  return {
    nxdomain: { rcode: 'NXDOMAIN', answers: [], additionals: [], authority: [soa] },
    nodata: { rcode: 'NOERROR', answers: [], additionals: [], authority: [soa] },
  };
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function setOrDelete<K, V>(map: Map<K, V>, key: K, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
