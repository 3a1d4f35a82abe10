import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, StatusError } from '../../apimachinery/errors.js';
import { buildV3Documents, buildV3Index, type PublishedDocument } from '../../openapi/document.js';
import { toSwagger } from '../../openapi/v2.js';
import type { KindRegistry } from '../../registry/kind-registry.js';
import { derivedFrom } from './discovery.js';

export interface OpenApiRouteDeps {
  kinds: KindRegistry;
}

/**
 * `/openapi/v3` (index), `/openapi/v3/<group-version>` and `/openapi/v2`, in JSON (kube-openapi's
 * handlers). A document URL with the current `?hash=` is cacheable forever; with a stale one it
 * redirects to the current URL. v2 is answered only to clients accepting JSON: kubectl asks for
 * protobuf alone, and a 404 is the answer it tolerates (it then needs `--validate=false` when it
 * is 1.27/1.28, which use only v2 for validation).
 */
export async function openapiRoutes(app: FastifyInstance, deps: OpenApiRouteDeps): Promise<void> {
  // Built on first use, and again after the served kinds changed.
  const documents: () => Map<string, PublishedDocument> = derivedFrom(deps.kinds, buildV3Documents);
  const swagger = derivedFrom(deps.kinds, () =>
    JSON.stringify(toSwagger([...documents().values()].map((d) => d.document))),
  );

  app.get('/openapi/v3', async (req, reply) => {
    if (!acceptsJson(req)) throw notAcceptable();
    return reply.type('application/json').send(JSON.stringify(buildV3Index(documents())));
  });

  app.get('/openapi/v3/*', async (req, reply) => {
    if (!acceptsJson(req)) throw notAcceptable();
    const path = (req.params as { '*': string })['*'];
    const doc = documents().get(path);
    if (!doc) throw errors.pathNotFound();
    return sendDocument(req, reply, path, doc);
  });

  app.get('/openapi/v2', async (req, reply) => {
    // 404 rather than 406: the answer kubectl was verified to tolerate when it asks for protobuf.
    if (!acceptsJson(req)) throw errors.pathNotFound();
    return reply.type('application/json').send(swagger());
  });
}

function sendDocument(req: FastifyRequest, reply: FastifyReply, path: string, doc: PublishedDocument): FastifyReply {
  const hash = (req.query as { hash?: unknown }).hash;
  reply.header('ETag', JSON.stringify(doc.hash));
  if (typeof hash === 'string' && hash !== '') {
    if (hash !== doc.hash) return reply.redirect(`/openapi/v3/${path}?hash=${doc.hash}`, 301);
    // The hash names this exact content, so it can be cached for good (kube-openapi sets a year).
    reply.header('Cache-Control', 'public, immutable');
    reply.header('Expires', new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString());
    reply.header('Vary', 'Accept');
  }
  return reply.type('application/json').send(doc.json);
}

/** Only JSON renditions are served (no protobuf). */
function acceptsJson(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return !accept || /application\/json|application\/\*|\*\/\*/.test(accept);
}

function notAcceptable(): StatusError {
  return new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
}
