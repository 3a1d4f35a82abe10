/**
 * One node's assembled rules, kept up to date fragment by fragment: each Service's fragment owns
 * its chains; shared chains (the global ones) concatenate the global head, every Service's
 * contribution in Service order, then the global tail — exactly as `assembleTable` does. Only
 * what a change touched is re-assembled or re-rendered.
 */
import { ChainListing } from './chain-listing.js';
import { TABLES, type TableName } from './fragment.js';
import { changedChains, type RenderedFragment } from './rendered-fragment.js';
import { BUILTIN_CHAINS, type Chain, type CompiledRules, type Rule } from './rules.js';

/** The node-wide rules, rendered, and the chains Services share. */
export interface GlobalRules {
  head: RenderedFragment;
  tail: RenderedFragment;
  shared: Record<TableName, Set<string>>;
}

/** Per table: owned chain → Service key, the listing, and caches of the shared chains. */
interface TableState {
  owners: Map<string, string>;
  listing: ChainListing;
  sharedChains: Map<string, Chain>;
  sharedText: Map<string, string>;
  /** The table's text as blocks to join with `\n`, undefined when stale. */
  blocks?: string[];
}

/** A node's Service fragments and the caches built from them. */
export class NodeRules {
  private readonly fragments = new Map<string, RenderedFragment>();
  private readonly tables: Record<TableName, TableState>;
  private readonly counts: Record<TableName, number>;
  private currentVersion = 1;
  private rulesCache?: CompiledRules;

  constructor(private readonly global: GlobalRules) {
    const table = (name: TableName): TableState => {
      const listing = new ChainListing();
      for (const chain of global.shared[name]) if (!BUILTIN_CHAINS[name].includes(chain)) listing.add(chain);
      return { owners: new Map(), listing, sharedChains: new Map(), sharedText: new Map() };
    };
    this.tables = { nat: table('nat'), filter: table('filter') };
    this.counts = {
      nat: global.head.counts.nat + global.tail.counts.nat,
      filter: global.head.counts.filter + global.tail.counts.filter,
    };
  }

  /** Bumps whenever the node's rules change; 1 for the global rules alone. */
  get version(): number {
    return this.currentVersion;
  }

  /** Rules per table. */
  ruleCounts(): Record<TableName, number> {
    return { ...this.counts };
  }

  /** Replaces the given Services' fragments (undefined = none); bumps the version if any rule changed. */
  apply(updates: ReadonlyMap<string, RenderedFragment | undefined>): void {
    let changed = false;
    for (const [key, next] of updates) changed = this.replace(key, next) || changed;
    if (!changed) return;
    this.currentVersion++;
    this.rulesCache = undefined;
  }

  /** Swaps one fragment and invalidates what its changed chains feed; whether any chain changed. */
  private replace(key: string, next: RenderedFragment | undefined): boolean {
    const previous = this.fragments.get(key);
    let changed = false;
    for (const name of TABLES) {
      const chains = changedChains(previous, next, name);
      if (chains.length === 0) continue;
      changed = true;
      const table = this.tables[name];
      table.blocks = undefined;
      for (const chain of chains) this.updateChain(name, table, chain, key, next);
      this.counts[name] += (next?.counts[name] ?? 0) - (previous?.counts[name] ?? 0);
    }
    if (next) this.fragments.set(key, next);
    else this.fragments.delete(key);
    return changed;
  }

  private updateChain(
    name: TableName,
    table: TableState,
    chain: string,
    key: string,
    next: RenderedFragment | undefined,
  ): void {
    if (this.global.shared[name].has(chain)) {
      table.sharedChains.delete(chain);
      table.sharedText.delete(chain);
      table.listing.changed(chain);
    } else if (next?.chains[name].has(chain)) {
      table.owners.set(chain, key);
      table.listing.add(chain);
    } else {
      table.owners.delete(chain);
      table.listing.remove(chain);
    }
  }

  /** The tables as `compileNode` lists them; `order` is every Service key in Service order. */
  rules(order: readonly string[]): CompiledRules {
    this.rulesCache ??= { nat: this.chains('nat', order), filter: this.chains('filter', order) };
    return this.rulesCache;
  }

  private contributions<T>(
    name: TableName,
    order: readonly string[],
    pick: (f: RenderedFragment) => T | undefined,
  ): T[] {
    const out: T[] = [];
    for (const part of [this.global.head, ...order.map((key) => this.fragments.get(key)), this.global.tail]) {
      const value = part && pick(part);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  private sharedChain(name: TableName, chain: string, order: readonly string[]): Chain {
    const cache = this.tables[name].sharedChains;
    let out = cache.get(chain);
    if (!out) {
      const rules: Rule[] = [];
      for (const part of this.contributions(name, order, (f) => f.chains[name].get(chain)?.rules))
        for (const rule of part) rules.push(rule);
      cache.set(chain, (out = { name: chain, rules }));
    }
    return out;
  }

  private chains(name: TableName, order: readonly string[]): Chain[] {
    const { owners, listing } = this.tables[name];
    const chainOf = (chain: string): Chain => {
      const owner = owners.get(chain);
      return owner === undefined
        ? this.sharedChain(name, chain, order)
        : this.fragments.get(owner)!.chains[name].get(chain)!;
    };
    const builtins = BUILTIN_CHAINS[name].filter((n) => this.global.shared[name].has(n)).map(chainOf);
    return [...builtins, ...listing.chains(chainOf)];
  }

  /** `renderIptablesSave(this.rules(order))`, built from cached per-chain lines and per-bucket blocks. */
  render(order: readonly string[]): string {
    // One join over every block: the text is tens of MB at scale, so it is copied once.
    return [...TABLES.flatMap((name) => this.tableBlocks(name, order)), ''].join('\n');
  }

  private sharedTextOf(name: TableName, chain: string, order: readonly string[]): string {
    const cache = this.tables[name].sharedText;
    let text = cache.get(chain);
    if (text === undefined)
      cache.set(
        chain,
        (text = this.contributions(name, order, (f) => f.text[name].get(chain) || undefined).join('\n')),
      );
    return text;
  }

  private tableBlocks(name: TableName, order: readonly string[]): string[] {
    const table = this.tables[name];
    if (table.blocks) return table.blocks;
    const textOf = (chain: string): string => {
      const owner = table.owners.get(chain);
      return owner === undefined
        ? this.sharedTextOf(name, chain, order)
        : this.fragments.get(owner)!.text[name].get(chain)!;
    };
    const builtins = BUILTIN_CHAINS[name]
      .filter((n) => this.global.shared[name].has(n))
      .map(textOf)
      .filter((t) => t !== '');
    const { declarations, rules } = table.listing.render(textOf);
    table.blocks = [`*${name}`, ...declarations, ...builtins, ...rules, 'COMMIT'];
    return table.blocks;
  }
}
