/**
 * The cluster DNS server: UDP and TCP on one port, answering from a {@link ZoneIndex} fed by a
 * {@link DnsSource}. Decoding and encoding go through `dns-packet`; the hot path skips both:
 * every answered query's bytes (minus its ID) key a ready encoded response, so a repeated
 * question costs a Map lookup, a copy and the ID patched in. Index changes drop the cached
 * responses of exactly the names they touch, so answers follow the API at once.
 *
 * Hostile input: anything shorter than a header or flagged as a response is dropped (never
 * answer an answer); undecodable packets and questions ≠ 1 get FORMERR, other opcodes NOTIMP,
 * EDNS versions > 0 BADVERS; TCP frames outside [12, 4096] bytes close the connection.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, OptAnswer, Question } from 'dns-packet';
import type { Manager } from '../runtime/manager.js';
import { canonicalName, type LookupResult, type ZoneChange, type ZoneIndex } from './records.js';
import type { DnsSource, LiveZone } from './live-zone.js';

/** Where to listen and what to serve; `zone` and `ttl` come from `clusterDomain` and `dnsTTL`. */
export interface DnsServerOptions {
  host: string;
  /** 0 picks a port free for both UDP and TCP. */
  port: number;
  /** The records to serve, kept up to date from the API. */
  zone: LiveZone;
  /** A TCP connection with no complete query for this long is closed (default 10 s). */
  tcpIdleTimeoutMs?: number;
  /** Told about a query the server failed on (it keeps answering). */
  onError?: (err: unknown) => void;
}

/** A started server: the port bound (UDP and TCP), and `close` to stop listening and unsubscribe. */
export interface RunningDnsServer {
  port: number;
  close(): Promise<void>;
}

const headerBytes = 12;
/** Real queries are far smaller; a bigger TCP frame is hostile. */
const maxQueryBytes = 4096;
/** Without EDNS0, a UDP response may not exceed 512 bytes (RFC 1035 §4.2.1). */
const classicUdpBytes = 512;
/** The largest EDNS0 buffer honoured, and the one advertised (DNS flag day 2020). */
const maxUdpBytes = 4096;
const advertisedUdpBytes = 1232;
const maxTcpBytes = 65535;
const maxTcpConnections = 1024;
/** A client that sends queries but never reads the answers is cut off past this. */
const maxTcpBacklogBytes = 1 << 20;
const defaultTcpIdleMs = 10_000;
/** Past this many cached responses, or bytes of them (random names, 0x20 case mixes), the cache starts over. */
const maxCachedResponses = 100_000;
const maxCachedBytes = 32 << 20;

const rcodes = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** BADVERS (16) does not fit the header: its upper bits go in the OPT record. */
const badVersExtendedRcode = 1;
const opcodeQuery = 0;
/**
 * Names `dns-packet` decodes faithfully: printable ASCII labels, none empty. Other bytes come back
 * as U+FFFD or as a dot inside a label, and echoing them would encode a different, even malformed,
 * question.
 */
const echoable = /^(\.|[\x21-\x2d\x2f-\x7e]+(\.[\x21-\x2d\x2f-\x7e]+)*)$/;
const qrBit = 0x80;

/** Starts UDP and TCP listeners on the same port, serving `zone`. */
export async function startDnsServer(opts: DnsServerOptions): Promise<RunningDnsServer> {
  const responder = new Responder(opts.zone.index, opts.onError);
  const unsubscribe = opts.zone.onChange((names) => responder.forgetAll(names));
  try {
    const { udp, tcp, connections, port } = await listenBoth(opts, responder);
    return {
      port,
      async close() {
        unsubscribe();
        for (const socket of connections) socket.destroy();
        await Promise.all([
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => tcp.close(() => resolve())),
        ]);
      },
    };
  } catch (err) {
    unsubscribe();
    throw err;
  }
}

/**
 * A {@link DnsSource} over a Manager's informer caches: objects from `manager.listers`, changes
 * from informer event handlers (which run synchronously as the API changes).
 */
export function dnsSourceFromManager(manager: Manager): DnsSource {
  const listeners = new Set<(change: ZoneChange) => void>();
  const emit = (change: ZoneChange) => {
    for (const listener of listeners) listener(change);
  };
  for (const kind of ['Service', 'Endpoints', 'Pod', 'Namespace'] as const) {
    manager.informer(kind).addHandler({
      onAdd: (object) => emit({ kind, object, deleted: false } as ZoneChange),
      onUpdate: (_old, object) => emit({ kind, object, deleted: false } as ZoneChange),
      onDelete: (object) => emit({ kind, object, deleted: true } as ZoneChange),
    });
  }
  return {
    services: () => manager.listers.Service.list(),
    endpoints: () => manager.listers.Endpoints.list(),
    pods: () => manager.listers.Pod.list(),
    namespaces: () => manager.listers.Namespace.list(),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Turns query bytes into response bytes; caches encoded responses per query. Never throws. */
class Responder {
  private readonly cache = new Map<string, Buffer>();
  private readonly keysByName = new Map<string, string[]>();
  private cachedBytes = 0;

  constructor(
    private readonly index: ZoneIndex,
    private readonly onError?: (err: unknown) => void,
  ) {}

  /** Drops the cached responses of names whose answers may have changed. */
  forgetAll(names: ReadonlySet<string>): void {
    for (const name of names) this.forget(name);
  }

  /** The response to send, or undefined to stay silent. */
  respond(query: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    if (query.length < headerBytes || (query[2] & qrBit) !== 0) return undefined;
    const key = transport + query.toString('latin1', 2);
    const cached = this.cache.get(key);
    if (cached) return withIdOf(query, cached);
    try {
      const { response, name } = this.answer(query, transport);
      if (name !== undefined) this.remember(key, name, response);
      return response;
    } catch (err) {
      this.onError?.(err);
      return errorResponse(query, rcodes.SERVFAIL);
    }
  }

  /** Decodes, looks up and encodes; `name` is set when the response may be reused. */
  private answer(query: Buffer, transport: 'udp' | 'tcp'): { response: Buffer; name?: string } {
    let packet: dnsPacket.DecodedPacket;
    try {
      packet = dnsPacket.decode(query);
    } catch {
      return { response: errorResponse(query, rcodes.FORMERR) };
    }
    const flags = packet.flags ?? 0;
    if (((flags >> 11) & 0xf) !== opcodeQuery) return { response: errorResponse(query, rcodes.NOTIMP) };
    const question = packet.questions?.length === 1 ? packet.questions[0] : undefined;
    if (!question || !echoable.test(question.name)) return { response: errorResponse(query, rcodes.FORMERR) };
    const opt = packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
    const request: Request = { id: packet.id ?? 0, flags, question, opt };
    if (opt && opt.ednsVersion > 0) return { response: encodeResponse(request, refusal, 0, badVersExtendedRcode) };
    const result = question.class === 'IN' ? this.index.lookup(question.name, question.type) : refusal;
    const limit =
      transport === 'tcp'
        ? maxTcpBytes
        : opt
          ? Math.min(Math.max(opt.udpPayloadSize, classicUdpBytes), maxUdpBytes)
          : classicUdpBytes;
    let response = encodeResponse(request, result, 0);
    if (response.length > limit)
      response = encodeResponse(
        request,
        { ...result, answers: [], authority: [], additionals: [] },
        dnsPacket.TRUNCATED_RESPONSE,
      );
    return { response, name: canonicalName(question.name) };
  }

  private remember(key: string, name: string, response: Buffer): void {
    if (this.cache.size >= maxCachedResponses || this.cachedBytes + response.length > maxCachedBytes) {
      this.cache.clear();
      this.keysByName.clear();
      this.cachedBytes = 0;
    }
    this.cache.set(key, response);
    this.cachedBytes += response.length;
    const keys = this.keysByName.get(name);
    if (keys) keys.push(key);
    else this.keysByName.set(name, [key]);
  }

  private forget(name: string): void {
    for (const key of this.keysByName.get(name) ?? []) {
      this.cachedBytes -= this.cache.get(key)?.length ?? 0;
      this.cache.delete(key);
    }
    this.keysByName.delete(name);
  }
}

interface Request {
  id: number;
  flags: number;
  question: Question;
  opt?: OptAnswer;
}

const refusal: LookupResult = { rcode: 'REFUSED', answers: [], additionals: [], authority: [] };

function encodeResponse(req: Request, result: LookupResult, extraFlags: number, extendedRcode = 0): Buffer {
  const authoritative = result.rcode !== 'REFUSED' && extendedRcode === 0 ? dnsPacket.AUTHORITATIVE_ANSWER : 0;
  const copied = req.flags & (dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED);
  const rcode = extendedRcode === 0 ? rcodes[result.rcode] : 0;
  const additionals: Answer[] = [...result.additionals];
  if (req.opt)
    additionals.push({
      type: 'OPT',
      name: '.',
      udpPayloadSize: advertisedUdpBytes,
      extendedRcode,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options: [],
    });
  return dnsPacket.encode({
    id: req.id,
    type: 'response',
    flags: authoritative | copied | extraFlags | rcode,
    questions: [req.question],
    answers: [...result.answers],
    authorities: [...result.authority],
    additionals,
  });
}

/** A header-only response: the query could not be (or must not be) read further. */
function errorResponse(query: Buffer, rcode: number): Buffer {
  const recursionDesired = (query[2] & 1) << 8;
  return dnsPacket.encode({ id: query.readUInt16BE(0), type: 'response', flags: recursionDesired | rcode });
}

/** A copy of a cached response carrying the query's ID. */
function withIdOf(query: Buffer, cached: Buffer): Buffer {
  const out = Buffer.allocUnsafe(cached.length);
  cached.copy(out);
  out[0] = query[0];
  out[1] = query[1];
  return out;
}

interface Listeners {
  udp: dgram.Socket;
  tcp: net.Server;
  connections: Set<net.Socket>;
  port: number;
}

/** Binds UDP, then TCP on the same port; with port 0, retries until a port is free for both. */
async function listenBoth(opts: DnsServerOptions, responder: Responder): Promise<Listeners> {
  for (let attempt = 0; ; attempt++) {
    const udp = await listenUdp(opts.host, opts.port, responder);
    const port = udp.address().port;
    const connections = new Set<net.Socket>();
    try {
      const tcp = await listenTcp(opts.host, port, responder, connections, opts.tcpIdleTimeoutMs ?? defaultTcpIdleMs);
      return { udp, tcp, connections, port };
    } catch (err) {
      udp.close();
      if (opts.port !== 0 || attempt >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
}

function listenUdp(host: string, port: number, responder: Responder): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
  socket.on('message', (query, peer) => {
    const response = responder.respond(query, 'udp');
    if (response) socket.send(response, peer.port, peer.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      // Send failures (e.g. an unreachable client) concern one datagram, never the server.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

function listenTcp(
  host: string,
  port: number,
  responder: Responder,
  connections: Set<net.Socket>,
  idleMs: number,
): Promise<net.Server> {
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    serveTcp(socket, responder, idleMs);
  });
  server.maxConnections = maxTcpConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** RFC 1035 §4.2.2 framing: a 2-byte length before each message; several queries per connection. */
function serveTcp(socket: net.Socket, responder: Responder, idleMs: number): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.setNoDelay(true);
  socket.setTimeout(idleMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 2) {
      const length = pending.readUInt16BE(0);
      if (length < headerBytes || length > maxQueryBytes) return void socket.destroy();
      if (pending.length < 2 + length) break;
      const response = responder.respond(pending.subarray(2, 2 + length), 'tcp');
      pending = pending.subarray(2 + length);
      if (response) socket.write(framed(response));
    }
    if (socket.writableLength > maxTcpBacklogBytes) socket.destroy();
  });
}

function framed(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  message.copy(out, 2);
  return out;
}
