/**
 * A CRD version's `subresources.scale`: the rules its paths follow
 * (ValidateCustomResourceDefinitionSubresources in
 * staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go), the
 * values objects must have there (ValidateScaleSpec/ValidateScaleStatus in
 * staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/validator.go), and the
 * kind's scale subresource reading and writing them (etcd.go `scaleFromCustomResource`).
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { CustomResourceDefinitionVersion } from '../registry/kinds/customresourcedefinition/schema.js';
import type { ResourceType, ScaleFields, ScaleSubresource } from '../registry/resource.js';
import { isObject } from './types.js';

const MAX_INT32 = 2 ** 31 - 1;

/** `subresources.scale` of a CRD version, once its paths are valid. */
export interface CustomScale {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** The problems of `subresources.scale` at `path` (`spec.versions[0].subresources`), in upstream's words. */
export function scaleDefinitionErrors(subresources: unknown, path: string): StatusCause[] {
  if (!isObject(subresources) || !isObject(subresources.scale)) return [];
  const scale = subresources.scale;
  const causes: StatusCause[] = [];
  const spec = stringAt(scale, 'specReplicasPath');
  const status = stringAt(scale, 'statusReplicasPath');
  const selector = stringAt(scale, 'labelSelectorPath');
  if (!spec) causes.push(fieldError.required(`${path}.scale.specReplicasPath`));
  else
    causes.push(...pathErrors(spec, `${path}.scale.specReplicasPath`, ['.spec.'], 'should be a json path under .spec'));
  if (!status) causes.push(fieldError.required(`${path}.scale.statusReplicasPath`));
  else
    causes.push(
      ...pathErrors(status, `${path}.scale.statusReplicasPath`, ['.status.'], 'should be a json path under .status'),
    );
  if (selector)
    causes.push(
      ...pathErrors(
        selector,
        `${path}.scale.labelSelectorPath`,
        ['.spec.', '.status.'],
        'should be a json path under either .spec or .status',
      ),
    );
  return causes;
}

/** `validateSimpleJSONPath`, then the prefix the path must have. */
function pathErrors(value: string, field: string, prefixes: readonly string[], outside: string): StatusCause[] {
  if (!value.startsWith('.')) return [fieldError.invalid(field, value, 'must be a simple json path starting with .')];
  return prefixes.some((p) => value.startsWith(p)) ? [] : [fieldError.invalid(field, value, outside)];
}

function stringAt(obj: Record<string, unknown>, key: string): string {
  const value = obj[key];
  return typeof value === 'string' ? value : '';
}

/** The scale subresource `version` declares, if any (its paths validated with the CRD). */
export function customScaleOf(version: CustomResourceDefinitionVersion): CustomScale | undefined {
  const scale = isObject(version.subresources) ? version.subresources.scale : undefined;
  if (!isObject(scale)) return undefined;
  const labelSelectorPath = stringAt(scale, 'labelSelectorPath');
  return {
    specReplicasPath: stringAt(scale, 'specReplicasPath'),
    statusReplicasPath: stringAt(scale, 'statusReplicasPath'),
    ...(labelSelectorPath ? { labelSelectorPath } : {}),
  };
}

/**
 * `rt` with the scale subresource `version` declares: served at `<plural>/scale`, and every write
 * of an object checked for the counts and selector the Scale reads (a 422 naming the path).
 */
export function withScaleSubresource(version: CustomResourceDefinitionVersion, rt: ResourceType): ResourceType {
  const scale = customScaleOf(version);
  if (!scale) return rt;
  const validate = rt.strategy.validate;
  return {
    ...rt,
    strategy: { ...rt.strategy, validate: (obj) => [...validate(obj), ...scaleValueErrors(scale, obj)] },
    scale: customScaleSubresource(scale),
  };
}

/** The scale subresource of a custom kind: its Scale reads and writes the CRD's paths. */
export function customScaleSubresource(scale: CustomScale): ScaleSubresource {
  return {
    specReplicasPath: scale.specReplicasPath,
    read: (obj) => scaleFields(scale, obj),
    writeReplicas: (obj, replicas) => setNested(obj, fieldsOf(scale.specReplicasPath), replicas),
  };
}

/** `scaleFromCustomResource`: what the object's Scale shows; counts of the wrong type read as absent. */
export function scaleFields(scale: CustomScale, obj: KubeObject): ScaleFields {
  const spec = nested(obj, scale.specReplicasPath);
  const status = nested(obj, scale.statusReplicasPath);
  const selector = scale.labelSelectorPath ? nested(obj, scale.labelSelectorPath) : undefined;
  return {
    ...(isInteger(spec?.value) ? { specReplicas: spec.value } : {}),
    statusReplicas: isInteger(status?.value) ? status.value : 0,
    ...(typeof selector?.value === 'string' && selector.value ? { selector: selector.value } : {}),
  };
}

/** `ValidateScaleSpec` and `ValidateScaleStatus`: the counts are int32s ≥ 0 and the selector a string, if present. */
export function scaleValueErrors(scale: CustomScale, obj: KubeObject): StatusCause[] {
  const causes = [...replicasErrors(obj, scale.specReplicasPath), ...replicasErrors(obj, scale.statusReplicasPath)];
  if (scale.labelSelectorPath) {
    const found = nested(obj, scale.labelSelectorPath);
    const error = found?.error ?? accessorError(scale.labelSelectorPath, found, 'string');
    if (error) causes.push(fieldError.invalid(scale.labelSelectorPath, '', error));
  }
  return causes;
}

function replicasErrors(obj: KubeObject, path: string): StatusCause[] {
  const found = nested(obj, path);
  const error = found?.error ?? accessorError(path, found, 'int64');
  if (error) return [fieldError.invalid(path, 0, error)];
  const replicas = found?.value as number | undefined;
  if (replicas === undefined) return [];
  if (replicas < 0) return [fieldError.invalid(path, replicas, 'should be a non-negative integer')];
  if (replicas > MAX_INT32) return [fieldError.invalid(path, replicas, `should be less than or equal to ${MAX_INT32}`)];
  return [];
}

/** unstructured's error for a value found at `path` that is not of `goType`. */
function accessorError(path: string, found: Found | undefined, goType: 'int64' | 'string'): string | undefined {
  if (!found) return undefined;
  const ok = goType === 'int64' ? isInteger(found.value) : typeof found.value === 'string';
  return ok
    ? undefined
    : `${path} accessor error: ${goValue(found.value)} is of the type ${typeOf(found.value)}, expected ${goType}`;
}

/** What a path leads to: the value there, or why it cannot be read. Undefined: nothing is there. */
type Found = { value: unknown; error?: undefined } | { value?: undefined; error: string };

/** unstructured's `NestedFieldNoCopy`: a null on the way means absent; a non-object on the way is an error. */
function nested(obj: unknown, path: string): Found | undefined {
  const fields = fieldsOf(path);
  let value: unknown = obj;
  for (let i = 0; i < fields.length; i++) {
    if (value === null || value === undefined) return undefined;
    if (!isObject(value))
      return {
        error: `${jsonPath(fields.slice(0, i + 1))} accessor error: ${goValue(value)} is of the type ${typeOf(value)}, expected map[string]interface{}`,
      };
    if (!Object.hasOwn(value, fields[i])) return undefined;
    value = value[fields[i]];
  }
  return { value };
}

/** unstructured's `SetNestedField`: creates the objects on the way. */
function setNested(obj: KubeObject, fields: readonly string[], value: unknown): void {
  let parent = obj as unknown as Record<string, unknown>;
  for (const field of fields.slice(0, -1)) {
    if (!isObject(parent[field])) parent[field] = {};
    parent = parent[field] as Record<string, unknown>;
  }
  parent[fields[fields.length - 1]] = value;
}

/** The path's field names, its leading period dropped (upstream splits on every period). */
function fieldsOf(path: string): string[] {
  return path.replace(/^\./, '').split('.');
}

function jsonPath(fields: readonly string[]): string {
  return `.${fields.join('.')}`;
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** Go's `%T` of a decoded JSON value. */
function typeOf(value: unknown): string {
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  if (typeof value === 'object') return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

/** Go's `%v` of a decoded JSON value. */
function goValue(value: unknown): string {
  if (value === null) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValue).join(' ')}]`;
  if (isObject(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goValue(value[k])}`)
      .join(' ')}]`;
  return String(value);
}
