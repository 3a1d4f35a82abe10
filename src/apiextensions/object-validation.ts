/**
 * A custom object's validation as its strategy runs it
 * (staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/strategy.go): the schema
 * first, then the CEL rules, in one error list. Errors that make the object's shape unreliable
 * (`hasBlockingErr`: a wrong type, an unsupported or missing value, too long, too many) skip the
 * rules and say so. Creates run the rules without an old object, updates with it.
 */
import type { StatusCause } from '../apimachinery/errors.js';
import { celValidator } from './cel-validation.js';
import type { JsonSchema } from './types.js';
import { validateCustomObject } from './validation.js';

type Obj = Record<string, unknown>;

const BLOCKING = new Set([
  'FieldValueNotSupported',
  'FieldValueRequired',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'FieldValueTypeInvalid',
]);

/** `field.Invalid(nil, nil, …)`: a cause without a field, as upstream words it. */
export const RULES_NOT_CHECKED: StatusCause = {
  reason: 'FieldValueInvalid',
  message:
    'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
  field: '<nil>',
};

/**
 * Contract: `creating(obj)` marks an object about to be created (call it in prepareForCreate);
 * `validate` returns schema errors, plus the rules' on create; `validateUpdate` the rules' on update.
 */
export interface CustomObjectValidation {
  creating(obj: object): void;
  validate(obj: Obj): StatusCause[];
  validateUpdate(obj: Obj, old: Obj): StatusCause[];
}

export function customObjectValidation(schema: JsonSchema): CustomObjectValidation {
  const rules = celValidator(schema);
  const created = new WeakSet<object>();
  const schemaErrors = new WeakMap<object, StatusCause[]>();
  const withRules = (errors: StatusCause[], obj: Obj, old?: Obj): StatusCause[] => {
    if (!rules) return [];
    return errors.some((e) => BLOCKING.has(e.reason)) ? [RULES_NOT_CHECKED] : rules.validate(obj, old);
  };
  return {
    creating: (obj) => created.add(obj),
    validate: (obj) => {
      const errors = validateCustomObject(schema, obj);
      if (created.has(obj)) return [...errors, ...withRules(errors, obj)];
      schemaErrors.set(obj, errors);
      return errors;
    },
    validateUpdate: (obj, old) => withRules(schemaErrors.get(obj) ?? validateCustomObject(schema, obj), obj, old),
  };
}
