/**
 * IPv4 arithmetic shared by the allocators, controllers and DNS: addresses as unsigned 32-bit
 * numbers, CIDRs as (network, prefix). Parsing and validation are ipaddr.js's; IPv6 is out of scope.
 */
import ipaddr from 'ipaddr.js';

/** An IPv4 network: `network` has no host bits set. */
export interface Cidr {
  network: number;
  prefix: number;
}

/** Whether `text` is a dotted-quad IPv4 address (no leading zeros, as Go's `net.ParseIP`). */
export function isIPv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** Parsed addresses: the tracer parses the same few thousand addresses for every packet. */
const parsedAddresses = new Map<string, number>();
const MAX_MEMOIZED = 65_536;

/** Parses dotted-quad text to an unsigned 32-bit number; throws on anything else (leading zeros included). */
export function parseIPv4(text: string): number {
  const known = parsedAddresses.get(text);
  if (known !== undefined) return known;
  if (!isIPv4(text)) throw new Error(`invalid IPv4 address "${text}"`);
  const value = ipaddr.IPv4.parse(text)
    .toByteArray()
    .reduce((acc, o) => acc * 256 + o, 0);
  if (parsedAddresses.size >= MAX_MEMOIZED) parsedAddresses.clear();
  parsedAddresses.set(text, value);
  return value;
}

/** `parseIPv4`, or undefined instead of an error. */
export function tryParseIPv4(text: string): number | undefined {
  return parsedAddresses.get(text) ?? (isIPv4(text) ? parseIPv4(text) : undefined);
}

/** Formats an unsigned 32-bit number as dotted-quad text. */
export function formatIPv4(ip: number): string {
  const n = ip >>> 0;
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

function hostMask(prefix: number): number {
  return prefix === 32 ? 0 : 0xffffffff >>> prefix;
}

/** Parses `a.b.c.d/n`; host bits are cleared, like Go's `net.ParseCIDR` network result. Throws when malformed. */
export function parseCIDR(text: string): Cidr {
  const slash = text.indexOf('/');
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (slash < 0 || !/^\d{1,2}$/.test(prefixText) || prefix > 32) throw new Error(`invalid IPv4 CIDR "${text}"`);
  const address = parseIPv4(text.slice(0, slash));
  return { network: (address & ~hostMask(prefix)) >>> 0, prefix };
}

/** `a.b.c.d/n`. */
export function formatCIDR(cidr: Cidr): string {
  return `${formatIPv4(cidr.network)}/${cidr.prefix}`;
}

/** How many addresses the CIDR spans (network and broadcast included). */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** The last address of the CIDR (the broadcast address for IPv4 subnets). */
export function lastAddress(cidr: Cidr): number {
  return (cidr.network + cidrSize(cidr) - 1) >>> 0;
}

/** The address `offset` places after the network address (offset 1 = first host, e.g. the gateway). */
export function addressAt(cidr: Cidr, offset: number): number {
  if (offset < 0 || offset >= cidrSize(cidr)) throw new Error(`offset ${offset} is outside ${formatCIDR(cidr)}`);
  return (cidr.network + offset) >>> 0;
}

/** Whether `ip` (a number) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.network && ip <= lastAddress(cidr);
}

/** Whether two CIDRs share at least one address (for CIDRs, one then contains the other). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b.network) || cidrContains(b, a.network);
}

/** The first host address of a range (a subnet's gateway, `cbr0`'s address in a pod CIDR). */
export function firstHost(cidr: string): string {
  return formatIPv4(addressAt(parseCIDR(cidr), 1));
}
