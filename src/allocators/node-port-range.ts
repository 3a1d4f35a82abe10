/**
 * The NodePort range (kube-apiserver `--service-node-port-range`, portallocator/allocator.go):
 * bitmap item k is port `first + k`.
 */
import { parsePortRange } from '../config/config.js';
import type { Backend } from '../storage/interface.js';
import { NODE_PORTS_KEY, RangeStore, type AllocationRange } from './stored-range.js';

/**
 * KEP-3668's static band for a range of `size` ports: `min(max(16, size/32), 128)`, and none for
 * ranges of 16 ports or fewer. The default 30000-32767 (2768 ports) gets 86: 30000–30085.
 */
export function nodePortRangeOffset(size: number): number {
  if (size <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

export class NodePortRange implements AllocationRange<number> {
  /** `first-last`, as upstream's PortRange prints it. */
  readonly text: string;
  readonly size: number;
  readonly offset: number;

  private constructor(
    readonly first: number,
    readonly last: number,
  ) {
    this.text = `${first}-${last}`;
    this.size = last - first + 1;
    this.offset = nodePortRangeOffset(this.size);
  }

  /** Parses `first-last`; throws (a ConfigError) on anything else. */
  static parse(text: string): NodePortRange {
    const { first, last } = parsePortRange(text);
    return new NodePortRange(first, last);
  }

  /** The bitmap item of `port`; undefined when it is outside the range. */
  indexOf(port: number): number | undefined {
    return Number.isInteger(port) && port >= this.first && port <= this.last ? port - this.first : undefined;
  }

  itemAt(index: number): number {
    return this.first + index;
  }
}

/** The NodePort bitmap of `nodePortRange`, stored at {@link NODE_PORTS_KEY}. */
export function openNodePortStore(backend: Backend, nodePortRange: string): RangeStore<number, NodePortRange> {
  return new RangeStore({
    backend,
    key: NODE_PORTS_KEY,
    range: NodePortRange.parse(nodePortRange),
    parseRange: NodePortRange.parse,
  });
}
