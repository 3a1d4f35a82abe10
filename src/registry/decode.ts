import type { z } from 'zod';
import { errors, fieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { apiVersionOf, type ResourceType } from './resource.js';
import { dropUnknownFields } from './unknown-fields.js';

/** The `fieldValidation` directive of a write: what to do with fields the kind does not have. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** kube-apiserver's directive when the request names none (since 1.27, `ServerSideFieldValidation` GA). */
const defaultFieldValidation: FieldValidation = 'Warn';

const directives: readonly FieldValidation[] = ['Ignore', 'Strict', 'Warn'];

/** How a body is decoded. */
export interface DecodeOptions {
  /**
   * Unknown fields are always dropped from the result; `Strict` also rejects the body, `Warn` also
   * reports each through `warn`, `Ignore` says nothing. Defaults to `defaultFieldValidation`.
   */
  fieldValidation?: FieldValidation;
  /** Receives one `unknown field "spec.foo"` message per unknown field in `Warn` mode. */
  warn?: (message: string) => void;
  /**
   * Set when the body is the result of applying a patch: strict errors are then a 422 on the field
   * `patch` showing this value (upstream shows the patch of a strategic merge patch, the patched
   * object for the other types).
   */
  invalidPatch?: unknown;
}

/** What decoding reads of a kind: identity, schema and pruning (a Scale body has no ResourceType of its own). */
export type DecodedKind<T extends KubeObject> = Pick<
  ResourceType<T>,
  'group' | 'version' | 'kind' | 'schema' | 'pruneUnknownFields'
>;

/**
 * Turns a request body into a typed object of `rt`, as kube-apiserver's decoder does: a body that
 * is not a JSON object, names another kind or version, or has a field of the wrong JSON type is a
 * 400 BadRequest; missing `apiVersion`/`kind` are taken from the URL; defaults are applied; unknown
 * fields are handled as `opts.fieldValidation` says. Semantic rules (422) are the strategy's job, later.
 */
export function decodeBody<T extends KubeObject>(rt: DecodedKind<T>, body: unknown, opts: DecodeOptions = {}): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw errors.badRequest(`the body of the request must be a JSON or YAML object describing a ${rt.kind}`);
  }
  const raw = { ...(body as Record<string, unknown>) };
  const apiVersion = apiVersionOf(rt);
  raw.apiVersion ??= apiVersion;
  raw.kind ??= rt.kind;
  if (raw.apiVersion !== apiVersion || raw.kind !== rt.kind) {
    throw errors.badRequest(
      `the API version in the data (${String(raw.apiVersion)}) or kind (${String(raw.kind)}) does not match the expected API version (${apiVersion}) and kind (${rt.kind})`,
    );
  }
  raw.metadata ??= {};
  const parsed = rt.schema.safeParse(raw);
  if (!parsed.success) throw cannotHandle(rt, describeIssues(parsed.error.issues));
  const unknown = [
    ...dropUnknownFields(rt.schema, raw, parsed.data),
    ...(rt.pruneUnknownFields?.(parsed.data) ?? []),
  ].map((path) => `unknown field "${formatPath(path)}"`);
  if (unknown.length) reportUnknownFields(rt, unknown, opts);
  return parsed.data;
}

/**
 * Parses the `fieldValidation` query parameter of a write (`method` POST, PUT or PATCH names the
 * options kind in the error): undefined when absent or empty; anything but Ignore, Strict or Warn
 * is a 422, as upstream's `ValidateFieldValidation`. Of repeated values the first counts.
 */
export function parseFieldValidation(value: unknown, method: string): FieldValidation | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === '') return undefined;
  if (directives.includes(first as FieldValidation)) return first as FieldValidation;
  const optionsKind = method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : 'PatchOptions';
  throw errors.invalid(optionsKind, 'meta.k8s.io', '', [
    fieldError.unsupported('fieldValidation', first, ['', ...directives]),
  ]);
}

function reportUnknownFields(rt: DecodedKind<KubeObject>, messages: string[], opts: DecodeOptions): void {
  const mode = opts.fieldValidation ?? defaultFieldValidation;
  if (mode === 'Ignore') return;
  if (mode === 'Warn') {
    for (const m of messages) opts.warn?.(m);
    return;
  }
  const strictError = `strict decoding error: ${messages.join(', ')}`;
  // Upstream's patch handlers report an invalid `patch`; create and update a body they cannot decode.
  if (opts.invalidPatch !== undefined)
    throw errors.invalid('', '', '', [fieldError.invalid('patch', JSON.stringify(opts.invalidPatch), strictError)]);
  throw cannotHandle(rt, strictError);
}

function cannotHandle(rt: DecodedKind<KubeObject>, why: string) {
  return errors.badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${why}`);
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 10)
    .map((i) => `${formatPath(i.path)}: ${i.message}`)
    .join('; ');
}

/** `spec.ports[0].port`, the path style of Kubernetes' messages. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '<root>';
}
