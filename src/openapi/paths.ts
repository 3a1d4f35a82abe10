/**
 * The `paths` of a group-version document: the REST operations of each resource, named and tagged
 * as upstream does. kubectl reads one thing here: the PATCH operation carrying the object's
 * `x-kubernetes-group-version-kind` must declare the `fieldValidation` query parameter, or kubectl
 * falls back to client-side validation with OpenAPI v2 (k8s.io/cli-runtime `resource/query_param_verifier_v3.go`).
 */
import type { ResourceType } from '../registry/resource.js';
import { ref } from './names.js';
import { scaleComponentName, scaleGvk } from './scale.js';
import { gvkOf, type OpenApiSchema } from './schema.js';

type Operation = Record<string, unknown>;
type PathItem = Record<string, unknown>;

function query(name: string, schema: OpenApiSchema, description: string): OpenApiSchema {
  return { name, in: 'query', description, schema };
}

const string = { type: 'string', uniqueItems: true };
const params = {
  pretty: query('pretty', string, "If 'true', the output is pretty printed."),
  dryRun: query('dryRun', string, 'When present, modifications are not persisted. The only valid value is All.'),
  fieldManager: query('fieldManager', string, 'A name associated with the actor or entity making these changes.'),
  fieldValidation: query(
    'fieldValidation',
    string,
    'What to do with unknown fields in the object: Ignore drops them silently, Warn (the default) drops them with a warning per field, Strict fails the request with a BadRequest listing them.',
  ),
  labelSelector: query('labelSelector', string, 'A selector to restrict the returned objects by their labels.'),
  fieldSelector: query('fieldSelector', string, 'A selector to restrict the returned objects by their fields.'),
  limit: query(
    'limit',
    { type: 'integer', uniqueItems: true },
    'Maximum number of objects to return; continue with the returned continue token.',
  ),
  continue: query('continue', string, 'The continue token of the previous page of a list.'),
  resourceVersion: query('resourceVersion', string, 'The resource version the list or watch starts from.'),
  resourceVersionMatch: query(
    'resourceVersionMatch',
    string,
    'How resourceVersion applies to list calls: Exact or NotOlderThan.',
  ),
  watch: query(
    'watch',
    { type: 'boolean', uniqueItems: true },
    'Watch for changes to the described resources instead of listing them.',
  ),
  allowWatchBookmarks: query(
    'allowWatchBookmarks',
    { type: 'boolean', uniqueItems: true },
    'Ask for BOOKMARK watch events.',
  ),
  timeoutSeconds: query('timeoutSeconds', { type: 'integer', uniqueItems: true }, 'Timeout of the list or watch call.'),
  sendInitialEvents: query(
    'sendInitialEvents',
    { type: 'boolean', uniqueItems: true },
    'Start a watch with the current objects, followed by a BOOKMARK.',
  ),
};
const listParams = [
  params.allowWatchBookmarks,
  params.continue,
  params.fieldSelector,
  params.labelSelector,
  params.limit,
  params.resourceVersion,
  params.resourceVersionMatch,
  params.sendInitialEvents,
  params.timeoutSeconds,
  params.watch,
];
const writeParams = [params.dryRun, params.fieldManager, params.fieldValidation];

function pathParam(name: string, description: string): OpenApiSchema {
  return { name, in: 'path', description, required: true, schema: { type: 'string', uniqueItems: true } };
}

/**
 * The PATCH body types declared (server-side apply is not served). Strategic merge patch is
 * accepted but deliberately not declared:
 * kubectl ≥1.27 then computes client-side apply patches from its compiled-in Go types (merging
 * containers by name) instead of walking these schemas, which cannot describe the fields
 * inside kplane's opaque objects (`affinity`, `securityContext`, …) and make it warn
 * "unable to find api field".
 */
const patchTypes = ['application/json-patch+json', 'application/merge-patch+json'];

/** The short group name of operation ids and tags: `core`, `networking`. */
function shortGroup(rt: ResourceType): string {
  return rt.group === '' ? 'core' : rt.group.split('.')[0];
}

/** Upstream's operation id infix: `CoreV1`, `NetworkingV1`. */
function groupVersionId(rt: ResourceType): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return cap(shortGroup(rt)) + cap(rt.version);
}

function jsonContent(schema: OpenApiSchema) {
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function responses(codes: Record<string, OpenApiSchema>): Record<string, unknown> {
  const out: Record<string, unknown> = { '401': { description: 'Unauthorized' } };
  for (const [code, schema] of Object.entries(codes))
    out[code] = {
      description: code === '201' ? 'Created' : code === '202' ? 'Accepted' : 'OK',
      content: jsonContent(schema),
    };
  return out;
}

interface OperationSpec {
  verb: string;
  action: string;
  kind: string;
  parameters?: OpenApiSchema[];
  body?: Record<string, unknown>;
  answers: Record<string, OpenApiSchema>;
}

function operation(rt: ResourceType, id: string, spec: OperationSpec): Operation {
  const op: Operation = {
    operationId: `${spec.verb}${groupVersionId(rt)}${id}`,
    tags: [`${shortGroup(rt)}_${rt.version}`],
    parameters: spec.parameters ?? [],
    responses: responses(spec.answers),
    'x-kubernetes-action': spec.action,
    'x-kubernetes-group-version-kind': gvkOf(rt, spec.kind),
  };
  if (spec.body) op.requestBody = { required: true, content: spec.body };
  return op;
}

/**
 * The path items of one resource: its collection (list, create, deletecollection), its objects
 * (read, replace, patch, delete), their status subresource, and the all-namespaces list.
 * `kindRef`/`listRef` are the component names of the kind and its list.
 */
export function resourcePaths(rt: ResourceType, kindRef: string, listRef: string): Record<string, PathItem> {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const scope = rt.namespaced ? 'Namespaced' : '';
  const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
  const object = `${collection}/{name}`;
  const nsParams = rt.namespaced
    ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects')]
    : [];
  const nameParam = pathParam('name', `name of the ${rt.kind}`);
  const obj = ref(kindRef);
  const list = ref(listRef);
  const patchBody = Object.fromEntries(patchTypes.map((t) => [t, { schema: { type: 'object' } }]));
  const paths: Record<string, PathItem> = {
    [collection]: {
      parameters: [...nsParams, params.pretty],
      get: operation(rt, `List${scope}${rt.kind}`, {
        verb: 'list',
        action: 'list',
        kind: rt.kind,
        parameters: listParams,
        answers: { '200': list },
      }),
      post: operation(rt, `${scope}${rt.kind}`, {
        verb: 'create',
        action: 'post',
        kind: rt.kind,
        parameters: writeParams,
        body: jsonContent(obj),
        answers: { '201': obj },
      }),
      delete: operation(rt, `Collection${scope}${rt.kind}`, {
        verb: 'delete',
        action: 'deletecollection',
        kind: rt.kind,
        parameters: [...listParams, params.dryRun],
        answers: { '200': list },
      }),
    },
    [object]: objectItem(rt, `${scope}${rt.kind}`, [...nsParams, nameParam, params.pretty], obj, patchBody, true),
  };
  if (rt.hasStatus)
    paths[`${object}/status`] = objectItem(
      rt,
      `${scope}${rt.kind}Status`,
      [...nsParams, nameParam, params.pretty],
      obj,
      patchBody,
      false,
    );
  if (rt.scale)
    paths[`${object}/scale`] = scaleItem(
      rt,
      `${scope}${rt.kind}Scale`,
      [...nsParams, nameParam, params.pretty],
      patchBody,
    );
  if (rt.namespaced) {
    paths[`${base}/${rt.plural}`] = {
      parameters: [params.pretty],
      get: operation(rt, `${rt.kind}ForAllNamespaces`, {
        verb: 'list',
        action: 'list',
        kind: rt.kind,
        parameters: listParams,
        answers: { '200': list },
      }),
    };
  }
  return rt.custom ? onlyServedVerbs(paths, rt.custom.verbs) : paths;
}

/** Drops the operations a custom kind does not serve (an operation's verb is its `x-kubernetes-action`, `post` being create). */
function onlyServedVerbs(paths: Record<string, PathItem>, verbs: readonly string[]): Record<string, PathItem> {
  const served = new Set(verbs.map((v) => (v === 'create' ? 'post' : v === 'update' ? 'put' : v)));
  const out: Record<string, PathItem> = {};
  for (const [path, item] of Object.entries(paths)) {
    const kept = Object.fromEntries(
      Object.entries(item).filter(
        ([key, op]) =>
          key === 'parameters' || served.has(String((op as Record<string, unknown>)['x-kubernetes-action'])),
      ),
    );
    if (Object.keys(kept).length > 1) out[path] = kept as PathItem;
  }
  return out;
}

/** The `scale` subresource's read, replace and patch, all of an autoscaling/v1 Scale. */
function scaleItem(
  rt: ResourceType,
  id: string,
  parameters: OpenApiSchema[],
  patchBody: Record<string, unknown>,
): PathItem {
  const item = objectItem(rt, id, parameters, ref(scaleComponentName), patchBody, false);
  for (const method of ['get', 'put', 'patch'])
    (item[method] as Operation)['x-kubernetes-group-version-kind'] = scaleGvk;
  return item;
}

function objectItem(
  rt: ResourceType,
  id: string,
  parameters: OpenApiSchema[],
  obj: OpenApiSchema,
  patchBody: Record<string, unknown>,
  deletable: boolean,
): PathItem {
  const item: PathItem = {
    parameters,
    get: operation(rt, id, { verb: 'read', action: 'get', kind: rt.kind, answers: { '200': obj } }),
    put: operation(rt, id, {
      verb: 'replace',
      action: 'put',
      kind: rt.kind,
      parameters: writeParams,
      body: jsonContent(obj),
      answers: { '200': obj },
    }),
    patch: operation(rt, id, {
      verb: 'patch',
      action: 'patch',
      kind: rt.kind,
      parameters: writeParams,
      body: patchBody,
      answers: { '200': obj },
    }),
  };
  if (deletable)
    item.delete = operation(rt, id, {
      verb: 'delete',
      action: 'delete',
      kind: rt.kind,
      parameters: [params.dryRun],
      answers: { '200': obj, '202': obj },
    });
  return item;
}
