/**
 * Label and field selectors with the grammar, validation and error texts of
 * k8s.io/apimachinery/pkg/labels and pkg/fields. Parsing runs once per request; matching runs per
 * object per event, so the matchers allocate nothing.
 */
import { errors } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';

/** Label selector operators, spelled as k8s.io/apimachinery/pkg/selection spells them. */
type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One ANDed term of a label selector. */
interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for `in`/`notin`; one value for `=`, `==`, `!=`, `gt`, `lt`; none otherwise. */
  readonly values: readonly string[];
}

/** A parsed label selector: requirements sorted by key, all of which must match. */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector matches every label set, so callers can skip filtering. */
  readonly isEverything: boolean;
  /** True for the selector that matches nothing (a nil metav1.LabelSelector). */
  readonly isNothing: boolean;
  /** Canonical text, as upstream `Selector.String()` renders it. */
  toString(): string;
}

/** A field selector term: `field=value` (also written `==`) or `field!=value`. */
interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** A parsed field selector: requirements sorted as upstream sorts them, all of which must match. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector has no terms, so callers can skip filtering. */
  readonly isEverything: boolean;
  /** Canonical text with values escaped, as upstream `fields.Selector.String()`. */
  toString(): string;
}

/** metav1.LabelSelector as stored in objects (Pod affinity, EndpointSlice consumers, …). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] | null }> | null;
}

class RequirementsSelector implements LabelSelector {
  readonly isEverything: boolean;
  constructor(
    readonly requirements: readonly LabelRequirement[],
    readonly isNothing = false,
  ) {
    this.isEverything = !isNothing && requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map(renderRequirement).join(',');
  }
}

const EVERYTHING: LabelSelector = new RequirementsSelector([]);
const NOTHING: LabelSelector = new RequirementsSelector([], true);

// ---------------------------------------------------------------------------------------------
// Label matching

/**
 * Whether `labels` satisfies every requirement. As upstream, `!=` and `notin` match when the key is
 * absent, and `gt`/`lt` need an integer label value.
 */
export function matchesLabels(
  sel: LabelSelector,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  if (sel.isNothing) return false;
  const reqs = sel.requirements;
  for (let i = 0; i < reqs.length; i++) {
    if (!matchesRequirement(reqs[i], labels)) return false;
  }
  return true;
}

function matchesRequirement(
  req: LabelRequirement,
  labels: Readonly<Record<string, string>> | null | undefined,
): boolean {
  // Label values are strings; inherited members (`constructor`, `__proto__`) never are, so this is
  // an own-label test that is cheaper than Object.hasOwn.
  const value: unknown = labels == null ? undefined : labels[req.key];
  const has = typeof value === 'string';
  switch (req.operator) {
    case 'in':
    case '=':
    case '==':
      return has && req.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !req.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt':
      return has && compareIntegers(value, req.values[0], req.operator);
  }
}

const INTEGER = /^[+-]?[0-9]+$/;

function compareIntegers(labelValue: string, bound: string, op: 'gt' | 'lt'): boolean {
  if (!INTEGER.test(labelValue)) return false;
  const value = Number(labelValue);
  const limit = Number(bound);
  return op === 'gt' ? value > limit : value < limit;
}

// ---------------------------------------------------------------------------------------------
// Label selector text grammar (labels.Parse)

type TokenKind = 'ident' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'eos';

interface Token {
  kind: TokenKind;
  text: string;
}

const SYMBOLS: Readonly<Record<string, TokenKind>> = {
  '(': '(',
  ')': ')',
  ',': ',',
  '!': '!',
  '=': '=',
  '>': '>',
  '<': '<',
};
const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecial(ch: string): boolean {
  return Object.hasOwn(SYMBOLS, ch);
}

/** Splits selector text into tokens; operators are the longest of `==`/`!=` or one symbol. */
function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text[pos])) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'eos', text: '' });
      return tokens;
    }
    const pair = text.slice(pos, pos + 2);
    if (pair === '==' || pair === '!=') {
      tokens.push({ kind: pair, text: pair });
      pos += 2;
    } else if (isSpecial(text[pos])) {
      tokens.push({ kind: SYMBOLS[text[pos]], text: text[pos] });
      pos += 1;
    } else {
      const start = pos;
      while (pos < text.length && !isSpecial(text[pos]) && !isWhitespace(text[pos])) pos++;
      const word = text.slice(start, pos);
      tokens.push({ kind: word === 'in' || word === 'notin' ? word : 'ident', text: word });
    }
  }
}

/** Upstream parses `in`/`notin` as plain identifiers wherever a value may appear. */
type LexContext = 'keyAndOperator' | 'values';

class LabelParser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const next = this.lookahead('values');
      if (next.kind === 'eos') return reqs;
      if (next.kind !== 'ident' && next.kind !== '!') {
        throw errors.badRequest(`found '${next.text}', expected: !, identifier, or 'end of string'`);
      }
      reqs.push(this.parseRequirement());
      const after = this.consume('values');
      if (after.kind === 'eos') return reqs;
      if (after.kind !== ',') throw errors.badRequest(`found '${after.text}', expected: ',' or 'end of string'`);
      const following = this.lookahead('values');
      if (following.kind !== 'ident' && following.kind !== '!') {
        throw errors.badRequest(`found '${following.text}', expected: identifier after ','`);
      }
    }
  }

  private lookahead(ctx: LexContext): Token {
    return asContext(this.tokens[this.position], ctx);
  }

  private consume(ctx: LexContext): Token {
    return asContext(this.tokens[this.position++], ctx);
  }

  private parseRequirement(): LabelRequirement {
    const { key, unary } = this.parseKeyAndUnaryOperator();
    if (unary) return { key, operator: unary, values: [] };
    const operator = this.parseOperator();
    const values = sortedUnique(
      operator === 'in' || operator === 'notin' ? this.parseValueSet() : [this.parseExactValue()],
    );
    const problem = requirementProblems(key, operator, values);
    if (problem) throw requirementError(problem);
    return makeRequirement(key, operator, values);
  }

  private parseKeyAndUnaryOperator(): { key: string; unary?: 'exists' | '!' } {
    let token = this.consume('values');
    const negated = token.kind === '!';
    if (negated) token = this.consume('values');
    if (token.kind !== 'ident') throw requirementError(`found '${token.text}', expected: identifier`);
    const keyErrors = isQualifiedName(token.text);
    if (keyErrors.length > 0) throw requirementError(invalidValue('<nil>', token.text, keyErrors));
    const next = this.lookahead('values').kind;
    if (next === 'eos' || next === ',') return { key: token.text, unary: negated ? '!' : 'exists' };
    if (negated) return { key: token.text, unary: '!' };
    return { key: token.text };
  }

  private parseOperator(): LabelOperator {
    const token = this.consume('keyAndOperator');
    switch (token.kind) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token.kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw requirementError(`found '${token.text}', expected: ${BINARY_OPERATORS}`);
    }
  }

  /** `(a,b)`; empty members (`()`, `(,a)`, `(a,,b)`) stand for the empty value, as upstream. */
  private parseValueSet(): string[] {
    const open = this.consume('values');
    if (open.kind !== '(') throw requirementError(`found '${open.text}' expected: '('`);
    const first = this.lookahead('values');
    if (first.kind === ')') {
      this.consume('values');
      return [''];
    }
    if (first.kind !== 'ident' && first.kind !== ',') {
      throw requirementError(`found '${first.text}', expected: ',', ')' or identifier`);
    }
    const values = this.parseValueList();
    this.consume('values');
    return values;
  }

  /** Reads members up to (not including) the closing parenthesis. */
  private parseValueList(): string[] {
    const values: string[] = [];
    for (;;) {
      const token = this.consume('values');
      if (token.kind === 'ident') {
        values.push(token.text);
        const next = this.lookahead('values');
        if (next.kind === ')') return values;
        if (next.kind !== ',') throw requirementError(`found '${next.text}', expected: ',' or ')'`);
        continue;
      }
      if (token.kind !== ',') throw requirementError(`found '${token.text}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const next = this.lookahead('values').kind;
      if (next === ')') {
        values.push('');
        return values;
      }
      if (next === ',') {
        this.consume('values');
        values.push('');
      }
    }
  }

  private parseExactValue(): string {
    const next = this.lookahead('values');
    if (next.kind === 'eos' || next.kind === ',') return '';
    const token = this.consume('values');
    if (token.kind !== 'ident') throw requirementError(`found '${token.text}', expected: identifier`);
    return token.text;
  }
}

function asContext(token: Token, ctx: LexContext): Token {
  if (ctx === 'values' && (token.kind === 'in' || token.kind === 'notin')) return { kind: 'ident', text: token.text };
  return token;
}

function requirementError(detail: string) {
  return errors.badRequest(`unable to parse requirement: ${detail}`);
}

/**
 * Parses a `labelSelector` query parameter with the full upstream grammar:
 * `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, `a>1`, `a<1`, comma-separated,
 * whitespace tolerated; the empty string selects everything. Keys and values are validated as
 * upstream. Throws a 400 BadRequest StatusError with upstream's message on bad input.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const reqs = new LabelParser(lex(text)).parse();
  return reqs.length === 0 ? EVERYTHING : new RequirementsSelector(sortByKey(reqs));
}

// ---------------------------------------------------------------------------------------------
// Label selectors from objects

/**
 * Converts a metav1.LabelSelector (matchLabels + matchExpressions with In/NotIn/Exists/DoesNotExist)
 * as upstream `LabelSelectorAsSelector` does: `null`/`undefined` matches nothing, an empty selector
 * matches everything. Invalid keys, values or operators throw a 400 BadRequest StatusError.
 */
export function labelSelectorFromLabelSelectorObject(obj: LabelSelectorObject | null | undefined): LabelSelector {
  if (obj == null) return NOTHING;
  const matchLabels = obj.matchLabels ?? {};
  const expressions = obj.matchExpressions ?? [];
  const labelKeys = Object.keys(matchLabels).sort();
  if (labelKeys.length + expressions.length === 0) return EVERYTHING;
  const reqs: LabelRequirement[] = labelKeys.map((key) => validatedRequirement(key, '=', [matchLabels[key]]));
  for (const expr of expressions) {
    reqs.push(validatedRequirement(expr.key, expressionOperator(expr.operator), [...(expr.values ?? [])]));
  }
  return new RequirementsSelector(sortByKey(reqs));
}

function validatedRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const problem = requirementProblems(key, operator, values, 'key');
  if (problem) throw errors.badRequest(problem);
  return makeRequirement(key, operator, values);
}

const EXPRESSION_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

function expressionOperator(op: string): LabelOperator {
  if (!Object.hasOwn(EXPRESSION_OPERATORS, op))
    throw errors.badRequest(`${JSON.stringify(op)} is not a valid label selector operator`);
  return EXPRESSION_OPERATORS[op];
}

/**
 * A selector requiring every `key: value` of `set` (no validation, as upstream `SelectorFromSet`).
 * An empty or absent set yields the everything-selector; a Service with an empty or absent
 * `spec.selector` selects no pods, so callers must check that case before calling this.
 */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | null | undefined): LabelSelector {
  const keys = set ? Object.keys(set).sort() : [];
  if (keys.length === 0) return EVERYTHING;
  return new RequirementsSelector(keys.map((key) => ({ key, operator: '=', values: [set![key]] })));
}

/**
 * Upstream `NewRequirement`'s checks, as its aggregated error text, or undefined when valid.
 * `keyPath` is the field path shown for a bad key; the text parser checks keys itself first.
 */
function requirementProblems(
  key: string,
  operator: LabelOperator,
  values: readonly string[],
  keyPath?: string,
): string | undefined {
  const problems: string[] = [];
  if (keyPath !== undefined) {
    const keyErrors = isQualifiedName(key);
    if (keyErrors.length > 0) problems.push(invalidValue(keyPath, key, keyErrors));
  }
  const countProblem = valueCountProblem(operator, values);
  if (countProblem) problems.push(`values: Invalid value: ${goStringSlice(values)}: ${countProblem}`);
  values.forEach((value, i) => {
    if ((operator === 'gt' || operator === 'lt') && !INTEGER.test(value)) {
      problems.push(invalidValue(`values[${i}]`, value, ["for 'Gt', 'Lt' operators, the value must be an integer"]));
    }
    const valueErrors = isValidLabelValue(value);
    if (valueErrors.length > 0) problems.push(invalidValue(`values[${i}][${key}]`, value, valueErrors));
  });
  return problems.length > 0 ? aggregate(problems) : undefined;
}

function makeRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  return { key, operator, values: operator === 'in' || operator === 'notin' ? sortedUnique(values) : values };
}

function valueCountProblem(operator: LabelOperator, values: readonly string[]): string | undefined {
  switch (operator) {
    case 'in':
    case 'notin':
      return values.length === 0 ? "for 'in', 'notin' operators, values set can't be empty" : undefined;
    case '=':
    case '==':
    case '!=':
      return values.length !== 1 ? 'exact-match compatibility requires one single value' : undefined;
    case 'exists':
    case '!':
      return values.length !== 0 ? 'values set must be empty for exists and does not exist' : undefined;
    case 'gt':
    case 'lt':
      return values.length !== 1 ? "for 'Gt', 'Lt' operators, exactly one value is required" : undefined;
  }
}

/** `field.Invalid(path, value, detail).Error()`. */
function invalidValue(path: string, value: string, details: string[]): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${details.join('; ')}`;
}

/** `utilerrors.NewAggregate(...).Error()`: one message alone, several de-duplicated in brackets. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** Go's `%#v` of a `[]string`, as upstream prints a bad values set. */
function goStringSlice(values: readonly string[]): string {
  return values.length === 0 ? '[]string(nil)' : `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const OPERATOR_TEXT: Readonly<Record<LabelOperator, string>> = {
  in: ' in ',
  notin: ' notin ',
  '=': '=',
  '==': '==',
  '!=': '!=',
  gt: '>',
  lt: '<',
  exists: '',
  '!': '',
};

function renderRequirement(req: LabelRequirement): string {
  if (req.operator === '!') return `!${req.key}`;
  if (req.operator === 'exists') return req.key;
  const values = req.values.join(',');
  const rendered = req.operator === 'in' || req.operator === 'notin' ? `(${values})` : values;
  return `${req.key}${OPERATOR_TEXT[req.operator]}${rendered}`;
}

// ---------------------------------------------------------------------------------------------
// Field selectors (fields.ParseSelector)

class TermsSelector implements FieldSelector {
  readonly isEverything: boolean;
  constructor(readonly requirements: readonly FieldRequirement[]) {
    this.isEverything = requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
  }
}

/**
 * Parses a `fieldSelector` query parameter: comma-separated `f=v`, `f==v`, `f!=v` terms whose values
 * may escape `\,`, `\=` and `\\`. Every field must be in `supported` (the per-kind list), else a 400
 * `field label not supported: <f>`; syntax errors are 400s with upstream's messages.
 */
export function parseFieldSelector(text: string, supported: ReadonlySet<string>): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(text).sort()) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    reqs.push({
      field: split.field,
      operator: split.operator === '!=' ? '!=' : '=',
      value: unescapeFieldValue(split.rawValue),
    });
  }
  for (const req of reqs) {
    if (!supported.has(req.field)) throw errors.badRequest(`field label not supported: ${req.field}`);
  }
  return new TermsSelector(reqs);
}

/** Splits on commas not escaped by a backslash; escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
    else if (ch === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator occurrence splits the term: field names cannot escape anything. */
function splitTerm(
  term: string,
): { field: string; operator: (typeof TERM_OPERATORS)[number]; rawValue: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, rawValue: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeFieldValue(raw: string): string {
  if (!/[\\,=]/.test(raw)) return raw;
  let out = '';
  let escaped = false;
  for (const ch of raw) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=')
        throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${ch}`);
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      // Go prints the rune as its code point.
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`);
    } else {
      out += ch;
    }
  }
  if (escaped) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

/**
 * Whether the object's selectable `fields` satisfy every term. A field missing from `fields` counts
 * as the empty string, as upstream `fields.Set.Get`.
 */
export function matchesFields(sel: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  const reqs = sel.requirements;
  for (let i = 0; i < reqs.length; i++) {
    const req = reqs[i];
    const value = Object.hasOwn(fields, req.field) ? fields[req.field] : '';
    if ((value === req.value) !== (req.operator === '=')) return false;
  }
  return true;
}

/**
 * The value `field` must equal for the selector to match (e.g. `metadata.name=x`), or undefined
 * when the selector does not pin it; lets callers turn a list into a point lookup.
 */
export function exactFieldValue(sel: FieldSelector, field: string): string | undefined {
  for (const req of sel.requirements) {
    if (req.field === field && req.operator === '=') return req.value;
  }
  return undefined;
}
