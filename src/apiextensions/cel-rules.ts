/**
 * The `x-kubernetes-validations` rules of a schema as a CRD write checks them
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go):
 * each rule and messageExpression must compile, the reason be a known one, the message fit on one
 * line, the fieldPath name a field of the node's schema, and oldSelf be read only where old values
 * correlate.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { compile } from './cel-env.js';
import { isObject, mapValueSchema, type JsonSchema, type ValidationRule } from './types.js';

/** The reasons a rule may give its violations (`FieldValueErrorReason`). */
export const RULE_REASONS = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];

/**
 * Every problem of the rules in `schema` and below it, whose own path is `path`. Below the items of
 * a list that is not `x-kubernetes-list-type: map`, old values cannot be correlated: rules there may
 * not read oldSelf.
 */
export function ruleErrors(schema: JsonSchema, path: string, uncorrelatable?: string): StatusCause[] {
  const out = nodeRuleErrors(schema, path, uncorrelatable);
  for (const [name, child] of Object.entries(isObject(schema.properties) ? schema.properties : {}))
    if (isObject(child)) out.push(...ruleErrors(child, `${path}.properties[${name}]`, uncorrelatable));
  if (isObject(schema.items)) {
    const items = `${path}.items`;
    const correlated = schema['x-kubernetes-list-type'] === 'map';
    out.push(...ruleErrors(schema.items, items, uncorrelatable ?? (correlated ? undefined : items)));
  }
  const values = mapValueSchema(schema);
  if (isObject(values)) out.push(...ruleErrors(values, `${path}.additionalProperties`, uncorrelatable));
  return out;
}

function nodeRuleErrors(schema: JsonSchema, path: string, uncorrelatable: string | undefined): StatusCause[] {
  const rules = schema['x-kubernetes-validations'];
  if (rules === undefined) return [];
  const listPath = `${path}.x-kubernetes-validations`;
  if (!Array.isArray(rules)) return [fieldError.invalid(listPath, rules, 'must be a list of rules')];
  return rules.flatMap((rule, i) => oneRuleErrors(schema, rule, `${listPath}[${i}]`, uncorrelatable));
}

function oneRuleErrors(
  schema: JsonSchema,
  rule: unknown,
  path: string,
  uncorrelatable: string | undefined,
): StatusCause[] {
  if (!isObject(rule) || typeof rule.rule !== 'string' || !rule.rule.trim())
    return [fieldError.required(`${path}.rule`, 'rule is not specified')];
  const r = rule as unknown as ValidationRule;
  const out = memberTypeErrors(rule, path);
  if (out.length) return out;
  const compiled = compile(r.rule);
  if ('error' in compiled) out.push(invalidRule(`${path}.rule`, r, compiled.error));
  else if (compiled.usesOldSelf && uncorrelatable)
    out.push(
      fieldError.invalid(
        `${path}.rule`,
        r.rule,
        `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`,
      ),
    );
  else if (!compiled.usesOldSelf && r.optionalOldSelf !== undefined)
    out.push(
      fieldError.invalid(`${path}.optionalOldSelf`, r.optionalOldSelf, 'may not be set if oldSelf is not used in rule'),
    );
  if (r.message !== undefined && /[\r\n]/.test(r.message))
    out.push(fieldError.invalid(`${path}.message`, r.message, 'message must not contain line breaks'));
  if (r.messageExpression !== undefined) {
    const message = r.messageExpression.trim()
      ? compile(r.messageExpression)
      : { error: 'must be non-empty if specified' };
    if ('error' in message) out.push(invalidRule(`${path}.messageExpression`, r, `messageExpression ${message.error}`));
  }
  if (r.reason !== undefined && !RULE_REASONS.includes(r.reason))
    out.push(fieldError.unsupported(`${path}.reason`, r.reason, RULE_REASONS));
  if (r.fieldPath !== undefined) {
    const resolved = resolveFieldPath(r.fieldPath, schema);
    if ('error' in resolved)
      out.push(
        fieldError.invalid(`${path}.fieldPath`, r.fieldPath, `fieldPath must be a valid path: ${resolved.error}`),
      );
  }
  return out;
}

const MEMBER_TYPES = {
  message: 'string',
  messageExpression: 'string',
  reason: 'string',
  fieldPath: 'string',
  optionalOldSelf: 'boolean',
};

/** Members of the wrong JSON type (undecodable upstream). */
function memberTypeErrors(rule: Record<string, unknown>, path: string): StatusCause[] {
  return Object.entries(MEMBER_TYPES)
    .filter(([member, type]) => rule[member] !== undefined && typeof rule[member] !== type)
    .map(([member, type]) => fieldError.invalid(`${path}.${member}`, rule[member], `must be of type ${type}`));
}

/** Upstream shows the whole rule, printed as Go prints the struct. */
function invalidRule(field: string, r: ValidationRule, detail: string): StatusCause {
  const reason = r.reason === undefined ? '(*apiextensions.FieldValueErrorReason)(nil)' : JSON.stringify(r.reason);
  const optional = r.optionalOldSelf === undefined ? '(*bool)(nil)' : String(r.optionalOldSelf);
  const shown =
    `apiextensions.ValidationRule{Rule:${JSON.stringify(r.rule)}, Message:${JSON.stringify(r.message ?? '')}, ` +
    `MessageExpression:${JSON.stringify(r.messageExpression ?? '')}, Reason:${reason}, ` +
    `FieldPath:${JSON.stringify(r.fieldPath ?? '')}, OptionalOldSelf:${optional}}`;
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: ${detail}`, field };
}

const SEGMENT = /^(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\])/;

/**
 * A rule's `fieldPath` (`.spec.replicas`, `.labels['a.b']`) as the suffix of a field path
 * (`.spec.replicas`, `.labels[a.b]`), checked against the schema like upstream's `ValidFieldPath`.
 */
export function resolveFieldPath(fieldPath: string, schema: JsonSchema): { suffix: string } | { error: string } {
  let rest = fieldPath;
  let node: JsonSchema | undefined = schema;
  let suffix = '';
  while (rest) {
    const m = SEGMENT.exec(rest);
    if (!m || !node) return { error: 'does not refer to a valid field' };
    const name = m[1] ?? m[2].replace(/\\(.)/g, '$1');
    const named: boolean = node.properties !== undefined;
    node = named ? node.properties?.[name] : mapValueSchema(node);
    if (!node) return { error: 'does not refer to a valid field' };
    suffix += named ? `.${name}` : `[${name}]`;
    rest = rest.slice(m[0].length);
  }
  return { suffix };
}
