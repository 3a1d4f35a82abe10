/**
 * The CEL environment of `x-kubernetes-validations` rules, on @bufbuild/cel: the standard library
 * (with RE2 `matches`), the strings extension, `self` and `oldSelf`, and the optional type's
 * `hasValue()`/`value()`/`orValue()` for `optionalOldSelf` rules
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/compilation.go).
 *
 * @bufbuild/cel has no type checker in its public API: a compiled rule is parsed, its functions
 * looked up and its program planned; type errors show at evaluation, not when the CRD is written.
 */
import {
  celEnv,
  celError,
  celList,
  celMethod,
  CelScalar,
  parse,
  plan,
  type CelList,
  type CelResult,
} from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { isObject, mapValueSchema, type JsonSchema } from './types.js';

/** Lists standing for CEL optionals: `optional.none()` is empty, `optional.of(v)` holds v. */
const optionals = new WeakSet<object>();

function asOptional(target: unknown): CelList {
  if (!optionals.has(target as object)) throw new Error('no such overload');
  return target as CelList;
}

const optionalMethods = [
  celMethod('hasValue', CelScalar.DYN, [], CelScalar.BOOL, function () {
    return asOptional(this).size > 0;
  }),
  celMethod('value', CelScalar.DYN, [], CelScalar.DYN, function () {
    const opt = asOptional(this);
    if (!opt.size) throw new Error('optional.none() dereference');
    return opt.get(0) as never;
  }),
  celMethod('orValue', CelScalar.DYN, [CelScalar.DYN], CelScalar.DYN, function (fallback) {
    const opt = asOptional(this);
    return (opt.size ? opt.get(0) : fallback) as never;
  }),
];

const env = celEnv({ funcs: [...strings, ...optionalMethods] });

/** `oldSelf` of an optionalOldSelf rule: the old value wrapped as an optional, none when absent. */
export function optionalOf(value: unknown): unknown {
  const opt = celList(value === undefined ? [] : [value as never]);
  optionals.add(opt);
  return opt;
}

/** A planned expression: runs against `self` and `oldSelf`, returns a CEL value or a CelError. */
export type CelProgram = (vars: { self: unknown; oldSelf?: unknown }) => CelResult;

/** A compiled expression, or upstream's detail of why it does not compile. */
export type Compiled = { program: CelProgram; usesOldSelf: boolean; loopDepth: number } | { error: string };

/** Parses and plans `source`; calls of functions the environment lacks are compile errors, as upstream. */
export function compile(source: string): Compiled {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (err) {
    return { error: `compilation failed: ERROR: ${(err as Error).message}` };
  }
  const refs = references(parsed.expr);
  const positions = parsed.sourceInfo?.positions ?? {};
  const unknown = refs.calls.find((c) => !env.funcs.find(c.name));
  if (unknown) {
    const at = location(source, positions[String(unknown.id)] ?? 0);
    return {
      error: `compilation failed: ERROR: <input>:${at}: undeclared reference to '${unknown.name}' (in container '')`,
    };
  }
  const planned = plan(env, parsed);
  const program: CelProgram = (vars) => {
    try {
      return planned(vars as never);
    } catch (err) {
      return celError(err);
    }
  };
  return { program, usesOldSelf: refs.usesOldSelf, loopDepth: refs.loopDepth };
}

/** `line:column` of an offset, 1-based as cel-go prints them. */
function location(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/**
 * Named function calls (operators such as `_+_` and macros are built in), whether `oldSelf` is
 * read, and how deeply comprehensions (`all`, `exists`, `map`, `filter`) nest.
 */
function references(root: unknown): { calls: { name: string; id: bigint }[]; usesOldSelf: boolean; loopDepth: number } {
  const out = { calls: [] as { name: string; id: bigint }[], usesOldSelf: false, loopDepth: 0 };
  const visit = (node: unknown, depth: number): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, depth));
    if (!isObject(node)) return;
    const kind = node.exprKind as { case?: string; value?: { name?: string; function?: string } } | undefined;
    if (kind?.case === 'identExpr' && kind.value?.name === 'oldSelf') out.usesOldSelf = true;
    const fn = kind?.case === 'callExpr' ? kind.value?.function : undefined;
    if (fn && /^[A-Za-z]/.test(fn)) out.calls.push({ name: fn, id: node.id as bigint });
    const inner = kind?.case === 'comprehensionExpr' ? depth + 1 : depth;
    out.loopDepth = Math.max(out.loopDepth, inner);
    Object.values(node).forEach((n) => visit(n, inner));
  };
  visit(root, 0);
  return out;
}

/**
 * A JSON value as the CEL value upstream's unstructured adapter gives (schema/cel/model): integers
 * (and int-or-string numbers) are `int`, `number`s `double`, objects maps, arrays lists. Properties
 * the schema declares are named as CEL identifiers (`escapeProperty`); map keys stay as they are.
 */
export function celValue(schema: JsonSchema | undefined, value: unknown): unknown {
  if (typeof value === 'number') return schema?.type !== 'number' && Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((v) => celValue(schema?.items, v));
  if (!isObject(value)) return value;
  const values = schema && mapValueSchema(schema);
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const property = schema?.properties?.[key];
    const name = property ? escapeProperty(key) : key;
    if (name !== undefined) out.set(name, celValue(property ?? values, v));
  }
  return out;
}

/** CEL's reserved words: a property so named is read as `self.__namespace__` (model/escaping.go). */
const RESERVED = new Set([
  ...['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if'],
  ...['import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while'],
]);

const ESCAPES: Record<string, string> = { __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' };

/** A property's name as rules read it (`my-field` → `my__dash__field`), or undefined if no rule can. */
export function escapeProperty(name: string): string | undefined {
  if (!name || /^[0-9]/.test(name) || /[^A-Za-z0-9_.\-/]/.test(name)) return undefined;
  if (RESERVED.has(name)) return `__${name}__`;
  return name.replace(/__|[-./]/g, (m) => ESCAPES[m]);
}
