import type { FastifyInstance, FastifyRequest } from 'fastify';
import { load as loadYaml } from 'js-yaml';
import { errors } from '../apimachinery/errors.js';

/** Largest request body accepted, as kube-apiserver's 3 MiB limit. */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Most JSON values a body may expand to (guards YAML alias "billion laughs" documents). */
const maxBodyNodes = 1_000_000;

const jsonTypes = [
  'application/json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
];
const yamlTypes = ['application/yaml', 'application/apply-patch+yaml'];

/**
 * Kubernetes' protobuf envelope, read as raw bytes: `src/protobuf/` decodes the kinds kubectl sends
 * in it, and routes answer 415 for any other.
 */
export const protobufType = 'application/vnd.kubernetes.protobuf';

/** Media types the server decodes, for 415 messages. */
export const acceptedMediaTypes = [...jsonTypes, ...yamlTypes];

/**
 * Installs the body parsers: JSON (and the JSON patch types) through fastify's prototype-poisoning
 * safe parser, YAML through js-yaml with bounded aliases, protobuf as raw bytes. An empty body is
 * allowed (client-node sends DELETE with a JSON content type and no body). Parse failures are 400s.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // kube-apiserver reads a body sent without a Content-Type as JSON (`kubectl replace --raw` sends none).
  app.addHook('onRequest', (req, _reply, done) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody && !req.headers['content-type']) req.headers['content-type'] = 'application/json';
    done();
  });
  const safeJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(jsonTypes, { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    // fastify's JSON parser answers through the callback; its result carries nothing.
    void safeJson(req, body as string, (err, value) =>
      err ? done(errors.badRequest(`error decoding JSON body: ${err.message}`)) : done(null, value),
    );
  });
  app.addContentTypeParser(yamlTypes, { parseAs: 'string' }, (req: FastifyRequest, body, done) => {
    try {
      done(null, body === '' ? undefined : parseYaml(body as string));
    } catch (err) {
      done(err as Error);
    }
  });
  app.addContentTypeParser(protobufType, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
}

/** Parses one YAML document into JSON-compatible data, rejecting alias bombs and `__proto__` keys. */
function parseYaml(text: string): unknown {
  let value: unknown;
  try {
    value = loadYaml(text, { maxAliases: 100 });
  } catch (err) {
    throw errors.badRequest(`error decoding YAML body: ${(err as Error).message.split('\n')[0]}`);
  }
  checkJsonValue(value);
  return value;
}

/** Walks a decoded body once: bounded size (aliases expand when serialized) and no prototype keys. */
function checkJsonValue(root: unknown): void {
  let budget = maxBodyNodes;
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (--budget < 0) throw errors.badRequest('request body is too complex: too many values');
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw errors.badRequest('request body contains a forbidden "__proto__" key');
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
}
