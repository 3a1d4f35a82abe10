/**
 * The random choices on a packet's path (iptables `statistic`, a load balancer's pick of a VM):
 * either made deterministically from the flow's 5-tuple, so the same flow always takes the same
 * path, or enumerated branch by branch to get every outcome's exact probability.
 */

/** Makes the path's random choices. */
export interface Chooser {
  /** Index of the option taken among options with these probabilities (summing to 1). */
  choose(key: string, probabilities: readonly number[]): number;
}

/** FNV-1a, then a murmur3 finalizer so nearby keys spread over all 32 bits. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Choices as a function of `flow` and the choice's key: the same flow always chooses the same. */
export function flowChooser(flow: string): Chooser {
  return {
    choose(key, probabilities) {
      const u = hash32(`${flow}|${key}`) / 2 ** 32;
      let acc = 0;
      for (let i = 0; i < probabilities.length; i++) {
        acc += probabilities[i];
        if (u < acc) return i;
      }
      return probabilities.length - 1;
    },
  };
}

/** One complete path through the choices and its probability. */
export interface Branch<T> {
  result: T;
  probability: number;
}

/** Thrown when a flow has more paths than `enumerateBranches` is allowed to walk. */
export class TooManyBranches extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} paths to enumerate`);
  }
}

/**
 * Runs `walk` once per combination of choices (depth first), each time with a chooser that replays
 * a fixed prefix and then takes the first option, queueing the alternatives. Zero-probability
 * options are never taken.
 */
export function enumerateBranches<T>(walk: (chooser: Chooser) => T, limit = 20_000): Branch<T>[] {
  const out: Branch<T>[] = [];
  const pending: number[][] = [[]];
  while (pending.length > 0) {
    if (out.length >= limit) throw new TooManyBranches(limit);
    const prefix = pending.pop()!;
    const taken: number[] = [];
    let probability = 1;
    const chooser: Chooser = {
      choose(_key, probabilities) {
        const depth = taken.length;
        let pick = prefix[depth];
        if (pick === undefined) {
          const options = probabilities.map((p, i) => ({ p, i })).filter((o) => o.p > 0);
          pick = options[0]?.i ?? 0;
          for (const alt of options.slice(1)) pending.push([...taken, alt.i]);
        }
        taken.push(pick);
        probability *= probabilities[pick];
        return pick;
      },
    };
    const result = walk(chooser);
    out.push({ result, probability });
  }
  return out;
}

/**
 * Estimates the outcomes' probabilities from `samples` walks whose choices follow the options'
 * probabilities (a seeded generator: the same flow gives the same estimate). For flows with too
 * many paths to enumerate, e.g. a load balancer over hundreds of VMs in front of many endpoints.
 */
export function sampleBranches<T>(walk: (chooser: Chooser) => T, samples: number, seed: string): Branch<T>[] {
  let state = hash32(seed) || 1;
  const next = (): number => {
    // xorshift32: fast, and good enough to spread samples over a few thousand options.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const chooser: Chooser = {
    choose(_key, probabilities) {
      const u = next();
      let acc = 0;
      for (let i = 0; i < probabilities.length; i++) {
        acc += probabilities[i];
        if (u < acc) return i;
      }
      return probabilities.length - 1;
    },
  };
  return Array.from({ length: samples }, () => ({ result: walk(chooser), probability: 1 / samples }));
}
