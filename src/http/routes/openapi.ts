import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../../apimachinery/errors.js';
import { buildV3Documents, buildV3Index, type PublishedDocument } from '../../openapi/document.js';
import { toSwagger, type SwaggerDocument } from '../../openapi/v2.js';
import { encodeSwaggerProtobuf } from '../../openapi/v2-protobuf.js';
import type { KindRegistry } from '../../registry/kind-registry.js';
import { etagOf, notModified } from '../etag.js';

export interface OpenApiRouteDeps {
  kinds: KindRegistry;
}

/**
 * `/openapi/v3` (index), `/openapi/v3/<group-version>` in JSON and `/openapi/v2` in JSON or
 * protobuf (kube-openapi's handlers). A document URL with the current `?hash=` is cacheable
 * forever; with a stale one it redirects to the current URL. Every answer carries an ETag and a
 * matching `If-None-Match` gets a 304, which kubectl's HTTP cache (`--cache-dir`) revalidates with.
 */
export async function openapiRoutes(app: FastifyInstance, deps: OpenApiRouteDeps): Promise<void> {
  // Built on first use, and again after the served kinds changed.
  const documents: () => Map<string, PublishedDocument> = deps.kinds.derived(buildV3Documents);
  const index = deps.kinds.derived(() => {
    const json = JSON.stringify(buildV3Index(documents()));
    return { json, etag: etagOf(json) };
  });
  const swagger = deps.kinds.derived(() => publishSwagger(toSwagger([...documents().values()].map((d) => d.document))));

  app.get('/openapi/v3', async (req, reply) => {
    if (!acceptsJson(req)) throw notAcceptable();
    const { json, etag } = index();
    if (notModified(req, reply, etag)) return reply.code(304).send();
    return reply.type('application/json').send(json);
  });

  app.get('/openapi/v3/*', async (req, reply) => {
    if (!acceptsJson(req)) throw notAcceptable();
    const path = (req.params as { '*': string })['*'];
    const doc = documents().get(path);
    if (!doc) throw errors.pathNotFound();
    return sendDocument(req, reply, path, doc);
  });

  app.get('/openapi/v2', async (req, reply) => {
    const format = negotiateV2(req.headers.accept);
    if (!format) throw notAcceptable(['application/json', protobufV2]);
    const published = swagger();
    reply.header('Vary', 'Accept');
    if (notModified(req, reply, published.etag)) return reply.code(304).send();
    return format === 'json'
      ? reply.type('application/json').send(published.json)
      : reply.type(protobufV2).send(Buffer.from(published.protobuf));
  });
}

/** The v2 document in both renditions, with the ETag they share (kube-openapi: SHA-512 of the JSON, upper-case hex). */
interface PublishedSwagger {
  json: string;
  protobuf: Uint8Array;
  etag: string;
}

function publishSwagger(doc: SwaggerDocument): PublishedSwagger {
  const json = JSON.stringify(doc);
  return { json, protobuf: encodeSwaggerProtobuf(doc), etag: etagOf(json) };
}

/** The protobuf media type kube-openapi answers with; kubectl asks for the older `…spec.v2@v1.0+protobuf` spelling. */
const protobufV2 = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const protobufV2Deprecated = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * The rendition for an Accept header, as kube-openapi's handler picks it: the clauses by falling
 * quality, the first one matching JSON or either protobuf spelling (wildcards match JSON first);
 * none is a 406. A request without Accept gets JSON.
 */
export function negotiateV2(accept: string | undefined): 'json' | 'protobuf' | undefined {
  const clauses = (accept || '*/*')
    .split(',')
    .map((clause, index) => {
      const [type, ...params] = clause.split(';').map((part) => part.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, quality: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((c) => c.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  for (const { type } of clauses) {
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return 'json';
    if (type === protobufV2 || type === protobufV2Deprecated) return 'protobuf';
  }
  return undefined;
}

function sendDocument(req: FastifyRequest, reply: FastifyReply, path: string, doc: PublishedDocument): FastifyReply {
  const hash = (req.query as { hash?: unknown }).hash;
  if (typeof hash === 'string' && hash !== '') {
    if (hash !== doc.hash) return reply.redirect(`/openapi/v3/${path}?hash=${doc.hash}`, 301);
    // The hash names this exact content, so it can be cached for good (kube-openapi sets a year).
    reply.header('Cache-Control', 'public, immutable');
    reply.header('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
    reply.header('Vary', 'Accept');
  }
  if (notModified(req, reply, JSON.stringify(doc.hash))) return reply.code(304).send();
  return reply.type('application/json').send(doc.json);
}

/** Only JSON renditions of v3 are served (no protobuf). */
function acceptsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return !accept || /application\/json|application\/\*|\*\/\*/.test(accept);
}

function notAcceptable(types: readonly string[] = ['application/json']): StatusError {
  return new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${types.join(', ')}`);
}
