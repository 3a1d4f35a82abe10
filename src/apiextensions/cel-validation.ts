/**
 * Evaluates a CRD version's `x-kubernetes-validations` rules against custom objects, as
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go does: each
 * rule runs with `self` bound to its node's value (nulls and absent values are skipped), a rule
 * reading `oldSelf` only on update where the node has an old value (or always, with
 * `optionalOldSelf`, as an optional). A false rule is a field error at the node (or its
 * `fieldPath`) showing the node's schema type: `spec: Invalid value: "object": <message>`.
 *
 * Cost: @bufbuild/cel tracks no evaluation cost, so each rule is charged, before it runs, the
 * elements of its `self` and `oldSelf` raised to the nesting depth of its comprehensions (what
 * `self.all(x, self.exists(y, …))` can visit). A rule over its per-call limit (PerCallLimit,
 * 1,000,000) or past the object's budget (RuntimeCELCostBudget, 10,000,000) stops the rules with
 * upstream's messages.
 */
import { isDeepStrictEqual } from 'node:util';
import { isCelError } from '@bufbuild/cel';
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { celValue, compile, optionalOf, type CelProgram } from './cel-env.js';
import { resolveFieldPath } from './cel-rules.js';
import { isObject, mapValueSchema, type JsonSchema, type ValidationRule } from './types.js';

/** Upstream's per-object evaluation budget and per-rule limit (k8s.io/apiserver/pkg/apis/cel/config.go). */
export const RUNTIME_COST_BUDGET = 10_000_000;
export const PER_CALL_LIMIT = 1_000_000;

interface CompiledRule {
  source: ValidationRule;
  program?: CelProgram;
  compileError?: string;
  usesOldSelf: boolean;
  loopDepth: number;
  message?: CelProgram;
  fieldPathSuffix: string;
}

interface RuleNode {
  schema: JsonSchema;
  rules: CompiledRule[];
  properties: Record<string, RuleNode>;
  items?: RuleNode;
  values?: RuleNode;
}

/**
 * Contract: built once per CRD version; `validate(obj)` checks a new object (`old` undefined) or an
 * update, returning every violation with its field path (the root's is empty). Never throws.
 */
export interface CelValidator {
  validate(obj: Record<string, unknown>, old?: Record<string, unknown>): StatusCause[];
}

/** The rules of `schema` compiled, or undefined when it has none; `budget` is per validated object. */
export function celValidator(schema: JsonSchema, budget = RUNTIME_COST_BUDGET): CelValidator | undefined {
  const root = compileNode(schema);
  if (!root) return undefined;
  return {
    validate: (obj, old) => {
      const run: Run = { budget, out: [] };
      evaluate(root, rootView(obj), old && rootView(old), '', run, NO_ANCESTOR);
      return run.out;
    },
  };
}

function compileNode(schema: JsonSchema): RuleNode | undefined {
  const declared = schema['x-kubernetes-validations'];
  const rules = (Array.isArray(declared) ? declared.filter(isObject) : []).map((r) => compileRule(r, schema));
  const properties: Record<string, RuleNode> = {};
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const node = compileNode(child);
    if (node) properties[name] = node;
  }
  const items = isObject(schema.items) ? compileNode(schema.items) : undefined;
  const valueSchema = mapValueSchema(schema);
  const values = valueSchema && compileNode(valueSchema);
  if (!rules.length && !Object.keys(properties).length && !items && !values) return undefined;
  return { schema, rules, properties, items, values };
}

function compileRule(source: ValidationRule, schema: JsonSchema): CompiledRule {
  const compiled = compile(source.rule);
  const message = source.messageExpression ? compile(source.messageExpression) : undefined;
  const resolved = source.fieldPath ? resolveFieldPath(source.fieldPath, schema) : { suffix: '' };
  return {
    source,
    program: 'program' in compiled ? compiled.program : undefined,
    compileError: 'error' in compiled ? compiled.error : undefined,
    usesOldSelf: 'program' in compiled && compiled.usesOldSelf,
    loopDepth: 'program' in compiled ? compiled.loopDepth : 0,
    message: message && 'program' in message ? message.program : undefined,
    fieldPathSuffix: 'suffix' in resolved ? resolved.suffix : '',
  };
}

/** At the root, rules see apiVersion, kind and only metadata.name and generateName (model.WithTypeAndObjectMeta). */
function rootView(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const metadata = Object.fromEntries(Object.entries(meta).filter(([k]) => k === 'name' || k === 'generateName'));
  return { ...obj, metadata };
}

interface Run {
  budget: number;
  out: StatusCause[];
}

/**
 * Whether a node equals its old value, or (a node without one, such as an atomic list's item) its
 * nearest ancestor that has one does: violations of rules without oldSelf there are ratcheted
 * (CRDValidationRatcheting, on by default in 1.32: they become warnings upstream; here they are dropped).
 */
type Unchanged = () => boolean;

function unchangedFrom(value: unknown, old: unknown, parent: Unchanged): Unchanged {
  if (old === undefined) return parent;
  let equal: boolean | undefined;
  return () => (equal ??= isDeepStrictEqual(value, old));
}

/** The root's parent: nothing to compare with. */
const NO_ANCESTOR: Unchanged = () => false;

function evaluate(node: RuleNode, value: unknown, old: unknown, path: string, run: Run, parent: Unchanged): void {
  if (value === null || value === undefined || run.budget < 0) return;
  const unchanged = unchangedFrom(value, old ?? undefined, parent);
  evaluateRules(node, value, old ?? undefined, path, run, unchanged);
  if (Array.isArray(value) && node.items) {
    const olds = correlateItems(node.schema, value, old);
    value.forEach((item, i) => evaluate(node.items!, item, olds[i], `${path}[${i}]`, run, unchanged));
  } else if (isObject(value)) {
    const oldMap = isObject(old) ? old : {};
    for (const [name, child] of Object.entries(node.properties))
      evaluate(child, value[name], oldMap[name], join(path, `.${name}`), run, unchanged);
    if (node.values)
      for (const [key, v] of Object.entries(value))
        evaluate(node.values, v, oldMap[key], join(path, `[${key}]`), run, unchanged);
  }
}

/** Only items of a `map` list have an old value: the old item with the same keys (upstream's correlation). */
function correlateItems(schema: JsonSchema, value: unknown[], old: unknown): unknown[] {
  const keys = schema['x-kubernetes-list-map-keys'];
  if (schema['x-kubernetes-list-type'] !== 'map' || !Array.isArray(keys) || !Array.isArray(old)) return [];
  const key = (item: unknown) => (isObject(item) ? JSON.stringify(keys.map((k) => item[k])) : '');
  const byKey = new Map(old.map((item) => [key(item), item]));
  return value.map((item) => byKey.get(key(item)));
}

function join(path: string, suffix: string): string {
  return path ? `${path}${suffix}` : suffix.replace(/^\./, '');
}

function evaluateRules(
  node: RuleNode,
  value: unknown,
  old: unknown,
  path: string,
  run: Run,
  unchanged: Unchanged,
): void {
  const type = node.schema.type ?? '';
  let self: unknown;
  let oldSelf: unknown;
  for (const rule of node.rules) {
    if (rule.compileError) {
      run.out.push(fieldError.invalid(path, type, `rule compile error: ${rule.compileError}`));
      continue;
    }
    const optionalOld = rule.source.optionalOldSelf === true;
    if (rule.usesOldSelf && old === undefined && !optionalOld) continue;
    const cost = (size(value) + size(old)) ** Math.max(1, rule.loopDepth);
    if (cost > PER_CALL_LIMIT) {
      const detail = `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule.source)}`;
      run.out.push(fieldError.invalid(path, type, detail));
      run.budget = -1;
      return;
    }
    run.budget -= cost;
    if (run.budget < 0) {
      run.out.push(fieldError.invalid(path, type, OUT_OF_BUDGET));
      return;
    }
    self ??= celValue(node.schema, value);
    oldSelf ??= old === undefined ? undefined : celValue(node.schema, old);
    const vars = { self, oldSelf: optionalOld ? optionalOf(oldSelf) : oldSelf };
    const result = rule.program!(vars);
    if (result === true) continue;
    if (isCelError(result)) {
      run.out.push(
        fieldError.invalid(path, type, `${result.message} evaluating rule: ${ruleErrorString(rule.source)}`),
      );
    } else if (typeof result !== 'boolean') {
      run.out.push(fieldError.invalid(path, type, 'cel expression must evaluate to a bool'));
    } else if (rule.usesOldSelf || !unchanged()) {
      run.out.push(violation(rule, join(path, rule.fieldPathSuffix), type, messageOf(rule, vars)));
    }
  }
}

const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

/** The messageExpression's string when it yields a non-empty one-line string, else the rule's message. */
function messageOf(rule: CompiledRule, vars: { self: unknown; oldSelf: unknown }): string {
  const result = rule.message?.(vars);
  if (typeof result === 'string' && result.trim() && !/[\r\n]/.test(result)) return result;
  return rule.source.message ? rule.source.message.trim() : `failed rule: ${ruleErrorString(rule.source)}`;
}

function ruleErrorString(rule: ValidationRule): string {
  return (rule.message || rule.rule).trim();
}

/** `fieldErrorForReason`: the rule's reason picks the error type. */
function violation(rule: CompiledRule, path: string, type: string, detail: string): StatusCause {
  switch (rule.source.reason) {
    case 'FieldValueForbidden':
      return fieldError.forbidden(path, detail);
    case 'FieldValueRequired':
      return fieldError.required(path, detail);
    case 'FieldValueDuplicate':
      return fieldError.duplicate(path, type);
    default:
      return fieldError.invalid(path, type, detail);
  }
}

/** The JSON nodes in a value: what a rule over it can visit. */
function size(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + size(v), 1);
  if (isObject(value)) return Object.values(value).reduce((n: number, v) => n + size(v), 1);
  return value === undefined ? 0 : 1;
}
