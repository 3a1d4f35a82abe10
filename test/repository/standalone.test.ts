/**
 * The repository stands alone: a fresh clone has nothing beside it, so no tracked file may refer to
 * documents kept outside it (a sibling folder of design notes) or link to a path above the
 * repository's root. Checked over `git ls-files`:
 *
 * - no line names the private folder or cites one of the documents that only lived there (the
 *   model they described is docs/network-model.md; upstream sources are cited directly);
 * - no relative link or image in a Markdown file resolves outside the repository;
 * - no `new URL('…', import.meta.url)` in a test (or any other source file) resolves outside it.
 *
 * The patterns are assembled from pieces so that this file does not match them itself.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const dot = '.';
const dash = '-';
const slash = '/';
const shared = 'shared';

/** What a tracked file must not contain, each with the reason reported for it. */
const FORBIDDEN: readonly { pattern: RegExp; what: string }[] = [
  { text: ['..', shared].join(slash), what: 'the folder beside the checkout' },
  { text: [shared, 'spec'].join(slash), what: 'the private spec folder' },
  { text: [shared, 'examples'].join(slash), what: 'the private examples folder' },
  { text: ['networking', 'md'].join(dot), what: 'an unshipped document' },
  { text: ['api', 'contract'].join(dash), what: 'an unshipped document' },
  { text: ['kubectl', 'compat'].join(dash), what: 'an unshipped document' },
  { text: ['performance', 'md'].join(dot), what: 'an unshipped document' },
  { text: ['talk', 'transcript'].join(dash), what: 'an unshipped document' },
].map(({ text, what }) => ({ pattern: new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'), what }));

interface Finding {
  file: string;
  line: number;
  problem: string;
  text: string;
}

function trackedFiles(): string[] | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return out.split('\0').filter((f) => f.length > 0);
  } catch {
    return undefined;
  }
}

/** The file's text, or undefined for binary files and files listed but absent from the work tree. */
function readText(file: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(ROOT, file));
  } catch {
    return undefined;
  }
  return bytes.includes(0) ? undefined : bytes.toString('utf8');
}

/** Whether `target`, taken relative to the folder of `file`, lands outside the repository. */
function escapesRoot(file: string, target: string): boolean {
  const resolved = resolve(ROOT, dirname(file), target);
  const rel = relative(ROOT, resolved);
  return rel === '..' || rel.startsWith(`..${'/'}`) || rel.startsWith('..\\') || isAbsolute(rel);
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

const lineText = (text: string, line: number): string => text.split('\n')[line - 1].trim();

/** Blanks fenced code blocks (keeping line numbers) so that code samples are not taken as links. */
function withoutFences(markdown: string): string {
  let inFence = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        inFence = !inFence;
        return '';
      }
      return inFence ? '' : line;
    })
    .join('\n');
}

/** Inline links and images `[x](target "title")` and reference definitions `[x]: target`. */
const MARKDOWN_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm;

function markdownFindings(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const prose = withoutFences(text);
  for (const match of prose.matchAll(MARKDOWN_LINK)) {
    const raw = match[1] ?? match[2];
    if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('#') || raw.startsWith('/')) continue;
    const target = raw.replace(/[#?].*$/, '');
    if (!target) continue;
    const problem = escapesRoot(file, decodeURI(target))
      ? `links outside the repository (${raw})`
      : existsSync(resolve(ROOT, dirname(file), decodeURI(target)))
        ? undefined
        : `links to a file the repository does not have (${raw})`;
    if (problem) {
      const line = lineAt(prose, match.index);
      findings.push({ file, line, problem, text: lineText(text, line) });
    }
  }
  return findings;
}

/** `new URL('…', import.meta.url)` with a string or template literal; `${…}` parts stand for one path segment. */
const MODULE_URL = /new URL\(\s*(['"`])((?:(?!\1)[^\\]|\\.)*)\1\s*,\s*import\.meta\.url\s*\)/g;

function moduleUrlFindings(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(MODULE_URL)) {
    const target = match[2].replace(/\$\{[^}]*\}/g, 'x');
    if (escapesRoot(file, target)) {
      const line = lineAt(text, match.index);
      findings.push({
        file,
        line,
        problem: `new URL points outside the repository (${match[2]})`,
        text: lineText(text, line),
      });
    }
  }
  return findings;
}

function lineFindings(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((content, i) => {
    for (const { pattern, what } of FORBIDDEN) {
      const hit = pattern.exec(content);
      if (hit) findings.push({ file, line: i + 1, problem: `refers to ${what} (${hit[0]})`, text: content.trim() });
    }
  });
  return findings;
}

const report = (findings: readonly Finding[]): string =>
  findings.map((f) => `${f.file}:${f.line}: ${f.problem}\n    ${f.text}`).join('\n');

test('the repository stands alone: no tracked file refers to documents or paths outside it', (t) => {
  const files = trackedFiles();
  if (!files) {
    t.skip('not a git checkout (git ls-files failed)');
    return;
  }
  assert.ok(files.length > 0, 'git ls-files listed no file');
  const findings: Finding[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text === undefined) continue;
    findings.push(...lineFindings(file, text));
    if (file.endsWith('.md')) findings.push(...markdownFindings(file, text));
    if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(file)) findings.push(...moduleUrlFindings(file, text));
  }
  assert.equal(findings.length, 0, `${findings.length} reference(s) outside the repository:\n${report(findings)}`);
});

test('the checks catch what they are meant to', () => {
  const outside = ['..', shared, 'spec', 'x' + '.md'].join(slash);
  assert.equal(lineFindings('a.ts', `// see ${outside}`).length, 2);
  assert.equal(lineFindings('a.ts', `// ${['networking', 'md'].join(dot)} section 6`).length, 1);
  assert.equal(lineFindings('a.ts', '// docs/network-model.md#kube-proxy').length, 0);
  assert.equal(markdownFindings('docs/a.md', '[x](../../elsewhere.md)').length, 1);
  assert.equal(markdownFindings('docs/a.md', '[x](../README.md#running-it) [y](https://example.com/../z)').length, 0);
  assert.equal(markdownFindings('a.md', '[ref]: ../outside.md').length, 1);
  assert.equal(markdownFindings('a.md', '```\n[x](../outside.md)\n```').length, 0);
  assert.equal(markdownFindings('README.md', '[x](docs/no-such-doc.md)').length, 1);
  assert.equal(markdownFindings('README.md', '[x](docs/network-model.md#scenarios)').length, 0);
  const url = (target: string) => `new URL(${target}, import.meta.url)`;
  assert.equal(moduleUrlFindings('test/a/b.test.ts', url("'../../../x.yaml'")).length, 1);
  assert.equal(moduleUrlFindings('test/a/b.test.ts', url("'../../examples/store.yaml'")).length, 0);
  assert.equal(moduleUrlFindings('test/a/b.test.ts', url('`./fixtures/${name}`')).length, 0);
  assert.equal(moduleUrlFindings('test/a/b.test.ts', url('`../../../${name}`')).length, 1);
});
