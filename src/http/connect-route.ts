import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../registry/resource.js';
import type { Registry } from '../registry/store.js';
import type { ResourcePath } from './path.js';

/** What a connect handler is asked: the stored object the URL names and the query parameters. */
export interface ConnectRequest {
  object: KubeObject;
  query: Readonly<Record<string, unknown>>;
}

/** Where a followed response writes once its first part is sent. */
export interface ConnectStream {
  write(text: string): void;
  end(): void;
  /** Called once when the client goes away (the stream should then stop writing). */
  onClientGone(cb: () => void): void;
}

/**
 * A handler's answer: a body of `contentType`, and optionally `follow`, which keeps writing to the
 * same response (chunked) until it ends the stream. Errors are thrown as StatusErrors before.
 */
export interface ConnectResult {
  contentType: string;
  body: string;
  follow?: (stream: ConnectStream) => void;
}

/** Serves one connect subresource of one kind (`pods/log`); throws a StatusError for a bad request. */
export type ConnectHandler = (req: ConnectRequest) => ConnectResult | Promise<ConnectResult>;

/** The handler the server wires for a kind's connect subresource, if any. */
export type ConnectHandlerLookup = (rt: ResourceType, subresource: string) => ConnectHandler | undefined;

/** Whether the path names one object's connect subresource (`pods/<name>/log`). */
export function isConnect(target: ResourcePath): boolean {
  return target.name !== undefined && target.subresource !== undefined && !!target.rt.connect?.[target.subresource];
}

/**
 * Answers a connect subresource: GET needs the `get` verb, POST `create` (else 405); the object must
 * exist (404); a subresource kplane cannot serve is a 400 with its message; else the wired handler
 * answers, and without one the path is a 404.
 */
export async function handleConnect(
  registry: Registry,
  handlers: ConnectHandlerLookup | undefined,
  target: ResourcePath,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  const sub = target.subresource!;
  const declared = target.rt.connect![sub];
  const verb = req.method === 'GET' ? 'get' : req.method === 'POST' ? 'create' : undefined;
  if (!verb || !declared.verbs.includes(verb)) throw errors.methodNotAllowed();
  const object = await registry.get(target.rt, target.namespace, target.name!);
  if (declared.unsupported) throw errors.badRequest(declared.unsupported);
  const handler = handlers?.(target.rt, sub);
  if (!handler) throw errors.pathNotFound();
  const result = await handler({ object, query: req.query as Record<string, unknown> });
  if (!result.follow) return reply.type(result.contentType).send(result.body);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'Content-Type': result.contentType, 'Transfer-Encoding': 'chunked' });
  raw.flushHeaders();
  if (result.body) raw.write(result.body);
  result.follow({
    write: (text) => void raw.write(text),
    end: () => raw.end(),
    onClientGone: (cb) => req.raw.socket.once('close', cb),
  });
  return undefined;
}
