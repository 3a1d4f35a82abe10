import { benchApi, type Row } from './api.js';
import { benchDns } from './dns.js';
import { benchEndpoints } from './endpoints.js';
import { benchRules } from './rules.js';
import { benchTraces } from './traces.js';

/**
 * `npm run bench`: measures on this machine and prints a Markdown table for the README. A script,
 * not a test: numbers vary with the machine and its neighbours, so nothing here asserts.
 */
async function main(): Promise<void> {
  const started = new Date();
  const only = process.argv[2];
  const rows: Row[] = [];
  if (!only || only === 'api') rows.push(...(await benchApi()));
  if (!only || only === 'endpoints') rows.push(...(await benchEndpoints()));
  if (!only || only === 'dns') rows.push(...(await benchDns()));
  if (!only || only === 'rules') rows.push(...(await benchRules()));
  if (!only || only === 'traces') rows.push(...(await benchTraces()));
  const lines = [
    `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${process.platform}/${process.arch}, Node ${process.versions.node}, ${(await import('node:os')).cpus().length} cores.`,
    '',
    '| what | kplane | baseline | ratio |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.what} | ${r.value} | ${r.baseline} | ${r.ratio} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exit(1);
});
