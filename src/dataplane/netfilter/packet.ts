/** The packet an iptables traversal sees: the 5-tuple of its first (conntrack NEW) or current packet. */

/** A TCP or UDP packet's 5-tuple; addresses are dotted-quad IPv4 text. */
export interface Packet {
  protocol: 'TCP' | 'UDP';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}
