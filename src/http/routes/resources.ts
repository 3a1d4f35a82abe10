import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { errors } from '../../apimachinery/errors.js';
import { exactFieldValue, parseFieldSelector } from '../../apimachinery/selectors.js';
import { parseListQuery } from '../../registry/list-options.js';
import { supportedFields } from '../../registry/selection.js';
import { patchContentTypes, type PatchType } from '../../registry/patching.js';
import type { ResourceType } from '../../registry/resource.js';
import { parseFieldValidation } from '../../registry/decode.js';
import type { DeleteOptions, Registry, Subresource, WriteOptions } from '../../registry/store.js';
import { acceptedMediaTypes, protobufType } from '../body.js';
import {
  decodeKubernetesProtobuf,
  ProtobufDecodeError,
  UnsupportedProtobufKind,
  type MessageLookup,
} from '../../protobuf/decode.js';
import { handleConnect, isConnect, type ConnectHandlerLookup } from '../connect-route.js';
import { parseResourcePath, type ResourceLookup, type ResourcePath } from '../path.js';
import { listToTable, objectToTable, tableRequest, tableWatchTransport, type TableRequest } from '../table.js';
import { defaultWatchTiming, openWatch, type WatchTiming, type WatchTransport } from '../watch-route.js';

export interface ResourceRouteDeps {
  registry: Registry;
  lookup: ResourceLookup;
  /** The protobuf message of a type, for `application/vnd.kubernetes.protobuf` bodies. */
  protobufMessage: MessageLookup;
  watchTiming?: WatchTiming;
  /** The handlers of connect subresources (`pods/<name>/log`); those without one answer 404. */
  connect?: ConnectHandlerLookup;
}

type Query = Record<string, unknown>;

/**
 * Every resource URL under `/api` and `/apis` goes through one handler that decodes the path
 * (kube-apiserver's RequestInfo) and calls the generic registry: no code here knows any kind.
 * The same URL with `?watch=true` streams events over chunked HTTP or, when upgraded, a WebSocket.
 * Reads (get, list, watch) answer with Tables when the Accept header asks for them (`kubectl get`).
 */
export async function resourceRoutes(app: FastifyInstance, deps: ResourceRouteDeps): Promise<void> {
  for (const url of ['/api/*', '/apis/*']) {
    const handler = (req: FastifyRequest, reply: FastifyReply) => handle(deps, req, reply);
    const preHandler = (req: FastifyRequest, reply: FastifyReply) => answerConnectUpgrade(deps, req, reply);
    app.route({
      method: 'GET',
      url,
      handler,
      preHandler,
      wsHandler: (socket: WebSocket, req: FastifyRequest) => handleWebSocket(deps, socket, req),
    });
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler, preHandler });
  }
}

/**
 * `kubectl exec`, `attach` and `port-forward` ask to upgrade the connection (WebSocket, then SPDY).
 * Every upgrade request would be handed to the WebSocket server, which refuses SPDY with a bare 400;
 * a connect subresource is answered here instead, before any upgrade, as a plain response (a Status
 * for an error) that kubectl prints.
 */
async function answerConnectUpgrade(deps: ResourceRouteDeps, req: FastifyRequest, reply: FastifyReply) {
  if (!req.ws) return;
  const target = resolve(deps, req.url);
  if (!isConnect(target)) return;
  const answer = await handleConnect(deps.registry, deps.connect, target, req, reply);
  if (!reply.sent) reply.send(answer);
  return reply;
}

async function handle(deps: ResourceRouteDeps, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const { target, query } = watchPrefixAsQuery(resolve(deps, req.url), req.query as Query, req.method);
  if (target.name === undefined) return handleCollection(deps, target, req, reply, query);
  if (isConnect(target)) return handleConnect(deps.registry, deps.connect, target, req, reply);
  if (target.subresource !== undefined && target.rt.actions?.[target.subresource])
    return handleAction(deps, target, req, reply, query);
  if (isScale(target)) return handleScale(deps, target, req, reply, query);
  const sub = subresourceOf(target);
  const { rt, namespace, name } = target;
  const registry = deps.registry;
  switch (req.method) {
    case 'GET': {
      const table = tableRequestOf(req);
      const obj = await registry.get(rt, namespace, name);
      return table ? objectToTable(rt, obj, table, Date.now()) : obj;
    }
    case 'PUT':
      return registry.update(
        rt,
        namespace,
        name,
        requireBody(req, deps.protobufMessage),
        sub,
        writeOptions(query, reply),
      );
    case 'PATCH': {
      const type = patchTypeOf(req, rt);
      if (type !== 'apply') return registry.patch(rt, namespace, name, type, req.body, sub, writeOptions(query, reply));
      if (sub) throw errors.methodNotAllowed('server-side apply of a subresource is not supported');
      const force = query.force === 'true';
      const { object, created } = await registry.apply(rt, namespace, name, req.body, {
        ...writeOptions(query, reply),
        force,
      });
      return reply.code(created ? 201 : 200).send(object);
    }
    case 'DELETE': {
      if (sub) throw errors.methodNotAllowed();
      const { object, finished } = await registry.delete(rt, namespace, name, deleteOptions(req.body, query));
      return reply.code(finished ? 200 : 202).send(object);
    }
    default:
      throw errors.methodNotAllowed();
  }
}

/** An action subresource (`pods/<name>/binding`, `namespaces/<name>/finalize`), answered as kube-apiserver does. */
async function handleAction(
  deps: ResourceRouteDeps,
  target: ResourcePath,
  req: FastifyRequest,
  reply: FastifyReply,
  query: Query,
): Promise<unknown> {
  const action = target.rt.actions![target.subresource!];
  if (req.method !== action.method) throw errors.methodNotAllowed();
  const object = await deps.registry.act(
    target.rt,
    target.namespace,
    target.name!,
    target.subresource!,
    requireBody(req, deps.protobufMessage),
    writeOptions(query, reply),
  );
  if (action.answer === 'object') return object;
  return reply.code(201).send({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** The scale subresource (`<plural>/<name>/scale`) of a kind that declares one: an autoscaling/v1 Scale. */
async function handleScale(
  deps: ResourceRouteDeps,
  target: ResourcePath,
  req: FastifyRequest,
  reply: FastifyReply,
  query: Query,
): Promise<unknown> {
  const { rt, namespace } = target;
  const name = target.name!;
  switch (req.method) {
    case 'GET': {
      // As upstream, a Table prints the kind's own columns, read from the Scale.
      const table = tableRequestOf(req);
      const scale = await deps.registry.getScale(rt, namespace, name);
      return table ? objectToTable(rt, scale, table, Date.now()) : scale;
    }
    case 'PUT':
      return deps.registry.updateScale(
        rt,
        namespace,
        name,
        requireBody(req, deps.protobufMessage),
        writeOptions(query, reply),
      );
    case 'PATCH': {
      const type = patchTypeOf(req, rt);
      if (type === 'apply') throw errors.methodNotAllowed('server-side apply of a subresource is not supported');
      return deps.registry.patchScale(rt, namespace, name, type, req.body, writeOptions(query, reply));
    }
    default:
      throw errors.methodNotAllowed();
  }
}

/** Whether the path names the scale subresource of a kind that has one. */
function isScale(target: ResourcePath): boolean {
  return target.subresource === 'scale' && target.rt.scale !== undefined;
}

async function handleCollection(
  deps: ResourceRouteDeps,
  target: ResourcePath,
  req: FastifyRequest,
  reply: FastifyReply,
  query: Query,
): Promise<unknown> {
  const { rt, namespace } = target;
  switch (req.method) {
    case 'GET': {
      const q = parseListQuery(query);
      const table = tableRequestOf(req);
      if (q.watch)
        return openWatch(
          deps.registry,
          target,
          q,
          asTables(httpTransport(req, reply), rt, table),
          deps.watchTiming ?? defaultWatchTiming,
        );
      await deps.registry.waitForRevision(q.resourceVersionMatch !== 'Exact' ? q.resourceVersion : undefined);
      const list = deps.registry.list(rt, namespace, q);
      return table ? listToTable(rt, list, table, Date.now()) : list;
    }
    case 'POST': {
      if (rt.namespaced && !namespace)
        throw errors.methodNotAllowed(
          'the server does not allow this method on the requested resource: a namespace is required',
        );
      const created = await deps.registry.create(
        rt,
        namespace,
        requireBody(req, deps.protobufMessage),
        writeOptions(query, reply),
      );
      return reply.code(201).send(created);
    }
    case 'DELETE':
      return deps.registry.deleteCollection(rt, namespace, parseListQuery(query), deleteOptions(req.body, query));
    default:
      throw errors.methodNotAllowed();
  }
}

function handleWebSocket(deps: ResourceRouteDeps, socket: WebSocket, req: FastifyRequest): void {
  const fail = (err: unknown) => {
    socket.close(1011, String((err as Error).message ?? err).slice(0, 120));
  };
  try {
    const { target, query } = watchPrefixAsQuery(resolve(deps, req.url), req.query as Query, req.method);
    const q = parseListQuery(query);
    if (target.name !== undefined || !q.watch)
      throw errors.badRequest('websocket connections are only supported for watch requests');
    const transport = asTables(webSocketTransport(socket), target.rt, tableRequestOf(req));
    openWatch(deps.registry, target, q, transport, deps.watchTiming ?? defaultWatchTiming).catch(fail);
  } catch (err) {
    fail(err);
  }
}

function resolve(deps: ResourceRouteDeps, url: string): ResourcePath & { name?: string } {
  const path = url.split('?')[0];
  const target = parseResourcePath(path, deps.lookup);
  if (!target) throw errors.pathNotFound();
  if (target.rt.namespaced && target.name !== undefined && target.namespace === undefined) throw errors.pathNotFound();
  if (
    target.subresource !== undefined &&
    !target.rt.actions?.[target.subresource] &&
    !isConnect(target) &&
    !isScale(target) &&
    subresourceOf(target) === undefined
  )
    throw errors.pathNotFound();
  return target;
}

/**
 * A request through the deprecated `watch/` prefix is the collection's `?watch=true` request; a
 * named one watches the collection narrowed by `metadata.name`, and a fieldSelector naming another
 * object is a 400 (kube-apiserver's ListResource, staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go).
 */
function watchPrefixAsQuery(
  target: ResourcePath,
  query: Query,
  method: string,
): { target: ResourcePath; query: Query } {
  if (!target.watchPrefix) return { target, query };
  if (method !== 'GET') throw errors.methodNotAllowed();
  const { rt, namespace, name } = target;
  const collection: ResourcePath = namespace === undefined ? { rt } : { rt, namespace };
  if (name === undefined) return { target: collection, query: { ...query, watch: 'true' } };
  const fieldSelector = query.fieldSelector;
  if (typeof fieldSelector !== 'string' || fieldSelector === '')
    return { target: collection, query: { ...query, watch: 'true', fieldSelector: `metadata.name=${name}` } };
  const pinned = exactFieldValue(parseFieldSelector(fieldSelector, supportedFields(rt)), 'metadata.name');
  if (pinned !== name) throw errors.badRequest("fieldSelector metadata.name doesn't match requested name");
  return { target: collection, query: { ...query, watch: 'true' } };
}

function subresourceOf(target: ResourcePath): Subresource {
  if (target.subresource === undefined) return undefined;
  if (target.subresource === 'status' && target.rt.hasStatus) return 'status';
  throw errors.pathNotFound();
}

/** The Table the Accept header asks for, if any (406 / 400 on what cannot be served). */
function tableRequestOf(req: FastifyRequest): TableRequest | undefined {
  return tableRequest(req.headers.accept, req.query as Query);
}

/** Watch events as one-row Tables when the request asked for Tables. */
function asTables(transport: WatchTransport, rt: ResourceType, table: TableRequest | undefined): WatchTransport {
  return table ? tableWatchTransport(transport, rt, table) : transport;
}

function requireBody(req: FastifyRequest, messageOf: MessageLookup): unknown {
  if (req.body === undefined) throw errors.badRequest('the request body is empty');
  if (req.headers['content-type']?.startsWith(protobufType)) return fromProtobuf(req.body as Buffer, messageOf);
  return req.body;
}

/**
 * kubectl ≥ 1.32 sends `create namespace|service|ingress` as Kubernetes protobuf: decoded to the
 * JSON the same object would have; kinds without a protobuf message are a 415, a malformed body a 400.
 */
function fromProtobuf(body: Buffer, messageOf: MessageLookup): unknown {
  try {
    const { apiVersion, kind, object } = decodeKubernetesProtobuf(body, messageOf);
    return { ...object, apiVersion, kind };
  } catch (err) {
    if (err instanceof UnsupportedProtobufKind) throw errors.unsupportedMediaType(protobufType, acceptedMediaTypes);
    if (err instanceof ProtobufDecodeError) throw errors.badRequest(`error decoding protobuf body: ${err.message}`);
    throw err;
  }
}

/** The patch type of the request; one the kind does not take is a 415 listing those it does. */
function patchTypeOf(req: FastifyRequest, rt: ResourceType): PatchType {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim();
  const accepted = Object.keys(patchContentTypes).filter(
    (t) => !(rt.refusesStrategicMerge && patchContentTypes[t as keyof typeof patchContentTypes] === 'strategic'),
  );
  if (!accepted.includes(mediaType)) throw errors.unsupportedMediaType(mediaType, accepted);
  if (req.body === undefined) throw errors.badRequest('the patch body is empty');
  return patchContentTypes[mediaType as keyof typeof patchContentTypes];
}

function writeOptions(query: Query, reply: FastifyReply): WriteOptions {
  return {
    dryRun: parseDryRun(query.dryRun),
    fieldValidation: parseFieldValidation(query.fieldValidation, reply.request.method),
    warn: (text) => addWarning(reply, text),
    fieldManager: typeof query.fieldManager === 'string' && query.fieldManager ? query.fieldManager : undefined,
  };
}

/** Adds a `Warning: 299 - "<text>"` header once per distinct text (kube-apiserver's warning recorder). */
function addWarning(reply: FastifyReply, text: string): void {
  // Quoted as RFC 7234 says; UTF-8 bytes go out as they are, as Go writes them.
  const value = `299 - "${Buffer.from(text.replace(/["\\]/g, '\\$&')).toString('latin1')}"`;
  const existing = ([] as unknown[]).concat(reply.getHeader('warning') ?? []).map(String);
  if (!existing.includes(value)) reply.header('warning', [...existing, value]);
}

function parseDryRun(value: unknown): boolean {
  if (value === undefined || value === '') return false;
  const values = Array.isArray(value) ? value : [value];
  if (values.every((v) => v === 'All')) return true;
  throw errors.badRequest(`dryRun: Unsupported value: ${JSON.stringify(values)}: supported values: "All"`);
}

function deleteOptions(body: unknown, query: Query): DeleteOptions {
  const opts = (typeof body === 'object' && body !== null ? body : {}) as {
    preconditions?: DeleteOptions['preconditions'];
    dryRun?: unknown;
  };
  return { preconditions: opts.preconditions, dryRun: parseDryRun(query.dryRun) || parseDryRun(opts.dryRun) };
}

function httpTransport(req: FastifyRequest, reply: FastifyReply): WatchTransport {
  return {
    kind: 'http',
    start() {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-cache, private',
        'Transfer-Encoding': 'chunked',
      });
      raw.flushHeaders();
      return {
        write: (text) => raw.write(text + '\n'),
        drained: () =>
          new Promise<void>((res) => {
            raw.once('drain', res);
            raw.once('close', res);
          }),
        heartbeat: () => void raw.write('\n'),
        end: () => raw.end(),
        onClientGone: (cb) => req.raw.socket.once('close', cb),
      };
    },
  };
}

function webSocketTransport(socket: WebSocket): WatchTransport {
  const highWater = 1 << 20;
  return {
    kind: 'websocket',
    start() {
      return {
        write: (text) => {
          socket.send(text);
          return socket.bufferedAmount < highWater;
        },
        drained: async () => {
          while (socket.readyState === socket.OPEN && socket.bufferedAmount >= highWater)
            await new Promise((r) => setTimeout(r, 10));
        },
        heartbeat: () => socket.ping(),
        end: () => socket.close(1000),
        onClientGone: (cb) => socket.once('close', cb),
      };
    },
  };
}
