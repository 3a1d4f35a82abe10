/**
 * kube-proxy chain names (kube-proxy's `proxier.go`; docs/network-model.md#chain-names): a service
 * port's chains share a hash of its `ServicePortName` + protocol; each endpoint chain adds
 * `"<ip>:<port>"` to that input.
 */
import { createHash } from 'node:crypto';

const BASE32_STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 standard base32 without padding (only the first 16 characters are ever used). */
function base32Std(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_STD_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_STD_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function hash16(input: string): string {
  return base32Std(createHash('sha256').update(input).digest()).slice(0, 16);
}

/** `ServicePortName.String()`: `"<ns>/<name>"`, plus `":<portName>"` when the port is named. */
export function servicePortName(namespace: string, name: string, portName: string | undefined): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** The 16-character hash shared by `KUBE-SVC-`/`KUBE-SVL-`/`KUBE-EXT-`/`KUBE-FW-`; protocol is lower-cased. */
export function serviceChainHash(spn: string, protocol: string): string {
  return hash16(spn + protocol.toLowerCase());
}

/** The 16-character hash of `KUBE-SEP-` for endpoint `ip:port` of a service port. */
export function endpointChainHash(spn: string, protocol: string, ip: string, port: number): string {
  return hash16(`${spn}${protocol.toLowerCase()}${ip}:${port}`);
}
