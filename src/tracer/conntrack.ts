/**
 * A node's connection-tracking table (docs/network-model.md#conntrack): each entry keeps the original tuple
 * and the tuple replies carry after NAT, so replies can be translated back (UnDNAT, UnSNAT) and
 * later packets skip the nat chains. Entries expire like the kernel's unreplied ones; the table is
 * bounded so repeated traces cannot grow memory without limit.
 */
import type { Packet } from '../dataplane/netfilter/packet.js';

/** One tracked connection. */
export interface ConntrackEntry {
  id: number;
  /** The first packet as it arrived, before any NAT on this node. */
  original: Packet;
  /** What a reply looks like on arrival: the NATed packet, reversed. */
  reply: Packet;
  expiresAt: number;
}

/** Seconds an entry lives: the kernel's unreplied timeouts (`nf_conntrack_{tcp_timeout_syn_sent,udp_timeout}`). */
const TIMEOUT_SECONDS: Record<Packet['protocol'], number> = { TCP: 120, UDP: 30 };
const DEFAULT_CAPACITY = 4096;

/** A tuple as a key: `TCP 10.4.0.3:40000>10.0.31.7:80`. */
export function tupleKey(p: Packet): string {
  return `${p.protocol} ${p.src}:${p.srcPort}>${p.dst}:${p.dstPort}`;
}

/** The packet that answers `p`: addresses and ports swapped. */
export function reversed(p: Packet): Packet {
  return { protocol: p.protocol, src: p.dst, srcPort: p.dstPort, dst: p.src, dstPort: p.srcPort };
}

/** Which direction of a tracked connection a packet belongs to. */
export type ConntrackMatch = { entry: ConntrackEntry; direction: 'original' | 'reply' };

/** One node's table. Time is passed in (milliseconds) so a fake clock drives expiry in tests. */
export class Conntrack {
  private readonly byOriginal = new Map<string, ConntrackEntry>();
  private readonly byReply = new Map<string, ConntrackEntry>();
  private nextId = 1;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /** The live entry `p` belongs to, in either direction. */
  lookup(p: Packet, nowMs: number): ConntrackMatch | undefined {
    const key = tupleKey(p);
    const original = this.live(this.byOriginal.get(key), nowMs);
    if (original) return { entry: original, direction: 'original' };
    const reply = this.live(this.byReply.get(key), nowMs);
    return reply ? { entry: reply, direction: 'reply' } : undefined;
  }

  /** Tracks a new connection, replacing any entry with either tuple (a closed connection's). */
  insert(original: Packet, translated: Packet, nowMs: number): ConntrackEntry {
    const reply = reversed(translated);
    for (const key of [tupleKey(original), tupleKey(reply)]) {
      this.remove(this.byOriginal.get(key));
      this.remove(this.byReply.get(key));
    }
    while (this.byOriginal.size >= this.capacity) this.remove(this.byOriginal.values().next().value);
    const entry = { id: this.nextId++, original, reply, expiresAt: nowMs + TIMEOUT_SECONDS[original.protocol] * 1000 };
    this.byOriginal.set(tupleKey(original), entry);
    this.byReply.set(tupleKey(reply), entry);
    return entry;
  }

  /** Live entries, oldest first. */
  entries(nowMs: number): ConntrackEntry[] {
    return [...this.byOriginal.values()].filter((e) => this.live(e, nowMs));
  }

  private live(entry: ConntrackEntry | undefined, nowMs: number): ConntrackEntry | undefined {
    if (!entry) return undefined;
    if (entry.expiresAt > nowMs) return entry;
    this.remove(entry);
    return undefined;
  }

  private remove(entry: ConntrackEntry | undefined): void {
    if (!entry) return;
    this.byOriginal.delete(tupleKey(entry.original));
    this.byReply.delete(tupleKey(entry.reply));
  }
}
