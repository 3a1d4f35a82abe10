/**
 * Endpoint-selection probabilities of kube-proxy's `-m statistic --mode random` rules
 * (docs/network-model.md#choosing-an-endpoint), as the kernel stores them and `iptables-save` prints them.
 */

const KERNEL_SCALE = 2 ** 31;

/** The probabilities of rules 0…n−2 for n endpoints: 1/n, 1/(n−1), …, 1/2 (the last rule is unconditional). */
export function selectionProbabilities(endpointCount: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < endpointCount - 1; i++) out.push(1 / (endpointCount - i));
  return out;
}

/**
 * The value the kernel stores for probability `p`: kube-proxy writes `%0.10f`, libxt_statistic
 * parses it and keeps `lround(p·2³¹)`; a packet matches when `(random32 & 0x7FFFFFFF) < threshold`.
 */
export function kernelThreshold(p: number): number {
  return Math.round(Number(p.toFixed(10)) * KERNEL_SCALE);
}

/** `iptables-save`'s rendering of a stored threshold: `%.11f` of threshold/2³¹. */
export function formatSavedProbability(threshold: number): string {
  return (threshold / KERNEL_SCALE).toFixed(11);
}
