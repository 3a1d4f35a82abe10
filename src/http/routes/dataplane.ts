/**
 * network.kplane.io/v1alpha1, answered from the live dataplane rather than storage: NodeDataplane
 * (get, list, `/iptables` as `text/plain`) and PacketTrace (create-only: the response is the
 * request with `status` filled; nothing is stored). Both first catch up with every write made
 * before the request, so a trace sees the cluster as the client last changed it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../apimachinery/errors.js';
import { decodeBody, parseFieldValidation } from '../../registry/decode.js';
import { nodeDataplanes } from '../../registry/kinds/nodedataplane/index.js';
import { packetTraces } from '../../registry/kinds/packettrace/index.js';
import type { NodeDataplane } from '../../registry/kinds/nodedataplane/schema.js';
import type { ObjectList } from '../../registry/store.js';
import type { PacketTraceSpec, PacketTraceStatus } from '../../registry/kinds/packettrace/schema.js';
import { listToTable, objectToTable, tableRequest } from '../table.js';

/** What the routes need of the dataplane. */
export interface DataplaneApi {
  /** Resolves once the dataplane reflects every write committed before the call. */
  catchUp(): Promise<void>;
  nodeDataplane(name: string): NodeDataplane | undefined;
  nodeDataplanes(): NodeDataplane[];
  /** The node's rules as `iptables-save` prints them; undefined for an unknown node. */
  iptables(name: string): string | undefined;
  /** Answers a trace; throws a 422 StatusError for a spec naming things that do not exist. */
  trace(spec: PacketTraceSpec): PacketTraceStatus;
  /** The current resourceVersion, for lists. */
  resourceVersion(): string;
}

const base = '/apis/network.kplane.io/v1alpha1';
const notAllowed = async () => {
  throw errors.methodNotAllowed();
};

/** Registers the network.kplane.io routes; `api` is the dataplane they answer from. */
export async function dataplaneRoutes(app: FastifyInstance, opts: { api: DataplaneApi }): Promise<void> {
  const { api } = opts;

  app.get(`${base}/nodedataplanes`, async (req, reply) => {
    await api.catchUp();
    const list = {
      kind: 'NodeDataplaneList',
      apiVersion: 'network.kplane.io/v1alpha1',
      metadata: { resourceVersion: api.resourceVersion() },
      items: api.nodeDataplanes(),
    };
    return sendMaybeTable(req, reply, list);
  });

  app.get(`${base}/nodedataplanes/:name`, async (req, reply) => {
    await api.catchUp();
    const name = (req.params as { name: string }).name;
    const object = api.nodeDataplane(name);
    if (!object) throw errors.notFound({ group: 'network.kplane.io', plural: 'nodedataplanes' }, name);
    const table = tableRequest(req.headers.accept, req.query as Record<string, unknown>);
    if (!table) return object;
    return reply.send(objectToTable(nodeDataplanes, object, table, Date.now()));
  });

  app.get(`${base}/nodedataplanes/:name/iptables`, async (req, reply) => {
    await api.catchUp();
    const name = (req.params as { name: string }).name;
    const text = api.iptables(name);
    if (text === undefined) throw errors.notFound({ group: 'network.kplane.io', plural: 'nodedataplanes' }, name);
    return reply.type('text/plain; charset=utf-8').send(text);
  });

  const answerTrace = async (req: FastifyRequest, reply: FastifyReply, name?: string) => {
    const query = req.query as Record<string, unknown>;
    const fieldValidation = parseFieldValidation(query.fieldValidation, req.method);
    const warnings: string[] = [];
    const trace = decodeBody(packetTraces, req.body, { fieldValidation, warn: (m) => warnings.push(m) });
    if (name !== undefined && trace.metadata.name !== undefined && trace.metadata.name !== name) {
      throw errors.nameMismatch(trace.metadata.name, name);
    }
    await api.catchUp();
    const status = api.trace(trace.spec);
    if (warnings.length) reply.header('Warning', warnings.map((w) => `299 - "${w}"`).join(', '));
    return reply
      .code(201)
      .send({ apiVersion: trace.apiVersion, kind: trace.kind, metadata: trace.metadata, spec: trace.spec, status });
  };

  app.post(`${base}/packettraces`, (req, reply) => answerTrace(req, reply));

  /**
   * Server-side apply of a PacketTrace runs it like a create. Besides letting `kubectl apply
   * --server-side` trace, declaring this PATCH is what makes kubectl (which looks for a PATCH with
   * `fieldValidation` in OpenAPI v3 before it validates server-side) accept `kubectl create -f`.
   */
  app.patch(`${base}/packettraces/:name`, async (req, reply) => {
    if (!(req.headers['content-type'] ?? '').startsWith('application/apply-patch+yaml')) {
      throw errors.methodNotAllowed(
        'a PacketTrace is not stored, so there is nothing to patch: create it, or apply it server-side',
      );
    }
    return answerTrace(req, reply, (req.params as { name: string }).name);
  });

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    app.route({ method, url: `${base}/nodedataplanes`, handler: notAllowed });
    app.route({ method, url: `${base}/nodedataplanes/:name`, handler: notAllowed });
  }
  for (const method of ['GET', 'PUT', 'DELETE', 'POST'] as const)
    app.route({ method, url: `${base}/packettraces/:name`, handler: notAllowed });
  app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: `${base}/packettraces`, handler: notAllowed });
}

async function sendMaybeTable(req: FastifyRequest, reply: FastifyReply, list: ObjectList) {
  const table = tableRequest(req.headers.accept, req.query as Record<string, unknown>);
  return reply.send(table ? listToTable(nodeDataplanes, list, table, Date.now()) : list);
}
