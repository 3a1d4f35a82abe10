import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { kubernetesVersion } from '../../version.js';
import { errors } from '../../apimachinery/errors.js';
import type { KindRegistry } from '../../registry/kind-registry.js';
import type { ResourceType } from '../../registry/resource.js';
import { etagOf, notModified } from '../etag.js';

const aggregatedType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const subresourceVerbs = ['get', 'patch', 'update'];
/** What a `scale` subresource answers, whatever the kind: clients' scale clients read it from discovery. */
const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

interface GroupVersion {
  group: string;
  version: string;
  resources: ResourceType[];
}

/**
 * Discovery, legacy (`/api`, `/api/v1`, `/apis`, `/apis/<g>/<v>`) and aggregated (apidiscovery v2,
 * chosen by the Accept header and marked by its exact content type: kubectl reads a v2 body sent
 * as plain JSON as an empty legacy document). Built from the served kinds, nothing per kind, and
 * rebuilt when kinds come or go. Aggregated documents carry an ETag and answer a matching
 * `If-None-Match` with 304, as kube-apiserver's (apiserver/pkg/endpoints/discovery/aggregated).
 */
export async function discoveryRoutes(app: FastifyInstance, opts: { kinds: KindRegistry }): Promise<void> {
  const served = opts.kinds.derived((kinds) => {
    const gvs = groupVersions(kinds);
    return { gvs, core: gvs.filter((gv) => gv.group === ''), named: gvs.filter((gv) => gv.group !== '') };
  });
  const aggregated = opts.kinds.derived(() => ({
    core: publish(aggregatedList(served().core)),
    named: publish(aggregatedList(served().named)),
  }));

  app.get('/version', async () => ({
    ...kubernetesVersion,
    gitCommit: 'kplane',
    gitTreeState: 'clean',
    buildDate: '2026-11-25T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'node',
    platform: `${process.platform}/${process.arch}`,
  }));

  app.get('/api', async (req, reply) =>
    wantsAggregated(req)
      ? sendAggregated(req, reply, aggregated().core)
      : {
          kind: 'APIVersions',
          versions: served().core.map((gv) => gv.version),
          serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }],
        },
  );
  app.get('/apis', async (req, reply) =>
    wantsAggregated(req)
      ? sendAggregated(req, reply, aggregated().named)
      : { kind: 'APIGroupList', apiVersion: 'v1', groups: groupList(served().named) },
  );
  app.get('/api/:version', async (req) =>
    resourceList(find(served().gvs, '', (req.params as { version: string }).version)),
  );
  app.get('/apis/:group', async (req) => {
    const group = (req.params as { group: string }).group;
    const g = groupList(served().named).find((x) => x.name === group);
    if (!g) throw errors.pathNotFound();
    return { kind: 'APIGroup', apiVersion: 'v1', ...g };
  });
  app.get('/apis/:group/:version', async (req) => {
    const p = req.params as { group: string; version: string };
    return resourceList(find(served().gvs, p.group, p.version));
  });
}

/** A document's JSON text and its ETag. */
interface Published {
  json: string;
  etag: string;
}

function publish(document: unknown): Published {
  const json = JSON.stringify(document);
  return { json, etag: etagOf(json) };
}

function sendAggregated(req: FastifyRequest, reply: FastifyReply, document: Published): FastifyReply {
  // The URL also serves the legacy document: caches must key on the Accept header too.
  reply.header('Vary', 'Accept');
  if (notModified(req, reply, document.etag)) return reply.code(304).send();
  return reply.type(aggregatedType).send(document.json);
}

/**
 * Aggregated discovery only for clients that accept its v2 form: kubectl 1.27–1.29 ask for
 * `v=v2beta1` (which we do not serve) and must get the legacy documents instead.
 */
function wantsAggregated(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '')
    .split(',')
    .some((t) => /as=APIGroupDiscoveryList/.test(t) && /(^|;)\s*v=v2\s*(;|$)/.test(t));
}

function groupVersions(resources: readonly ResourceType[]): GroupVersion[] {
  const byKey = new Map<string, GroupVersion>();
  for (const rt of resources) {
    const key = `${rt.group}/${rt.version}`;
    let gv = byKey.get(key);
    if (!gv) byKey.set(key, (gv = { group: rt.group, version: rt.version, resources: [] }));
    gv.resources.push(rt);
  }
  return [...byKey.values()];
}

function find(gvs: GroupVersion[], group: string, version: string): GroupVersion {
  const gv = gvs.find((x) => x.group === group && x.version === version);
  if (!gv) throw errors.pathNotFound();
  return gv;
}

function groupVersionString(gv: Pick<GroupVersion, 'group' | 'version'>): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

function groupList(named: GroupVersion[]) {
  const names = [...new Set(named.map((gv) => gv.group))];
  return names.map((name) => {
    const versions = named
      .filter((gv) => gv.group === name)
      .map((gv) => ({ groupVersion: groupVersionString(gv), version: gv.version }));
    return { name, versions, preferredVersion: versions[0] };
  });
}

/** A subresource as legacy discovery lists it; group and version only when its kind is of another group. */
interface LegacySubresource {
  name: string;
  verbs: readonly string[];
  kind?: string;
  group?: string;
  version?: string;
}

function resourceList(gv: GroupVersion) {
  const resources = gv.resources.flatMap((rt) => {
    const main = {
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: rt.custom?.verbs ?? verbs,
      ...(rt.shortNames?.length ? { shortNames: rt.shortNames } : {}),
      ...(rt.categories?.length ? { categories: rt.categories } : {}),
    };
    const subresources: LegacySubresource[] = [
      ...(rt.hasStatus ? [{ name: 'status', verbs: subresourceVerbs }] : []),
      ...(rt.scale ? [{ name: 'scale', verbs: subresourceVerbs, ...scaleKind }] : []),
      ...(rt.custom?.subresources ?? []),
      ...Object.entries(rt.actions ?? {}).map(([name, action]) => ({
        name,
        verbs: [actionVerb(action.method)],
        kind: action.kind,
      })),
      ...Object.entries(rt.connect ?? {}).map(([name, sub]) => ({ name, verbs: sub.verbs, kind: sub.kind })),
    ];
    return [
      main,
      ...subresources.map((sub) => ({
        name: `${rt.plural}/${sub.name}`,
        singularName: '',
        namespaced: rt.namespaced,
        ...(sub.group !== undefined ? { group: sub.group, version: sub.version } : {}),
        kind: sub.kind ?? rt.kind,
        verbs: sub.verbs,
      })),
    ];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionString(gv), resources };
}

function aggregatedList(gvs: GroupVersion[]) {
  const groups = [...new Set(gvs.map((gv) => gv.group))];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group },
      versions: gvs
        .filter((gv) => gv.group === group)
        .map((gv) => ({
          version: gv.version,
          freshness: 'Current',
          resources: gv.resources.map((rt) => aggregatedResource(rt)),
        })),
    })),
  };
}

const actionVerb = (method: 'POST' | 'PUT'): string => (method === 'POST' ? 'create' : 'update');

function aggregatedResource(rt: ResourceType) {
  const responseKind = { group: rt.group, version: rt.version, kind: rt.kind };
  const subresources = [
    ...(rt.hasStatus ? [{ subresource: 'status', responseKind, verbs: subresourceVerbs }] : []),
    ...(rt.scale ? [{ subresource: 'scale', responseKind: scaleKind, verbs: subresourceVerbs }] : []),
    ...(rt.custom?.subresources ?? []).map((sub) => ({ subresource: sub.name, responseKind, verbs: sub.verbs })),
    ...Object.entries(rt.actions ?? {}).map(([name, action]) => ({
      subresource: name,
      responseKind: { group: rt.group, version: rt.version, kind: action.kind },
      verbs: [actionVerb(action.method)],
    })),
    ...Object.entries(rt.connect ?? {}).map(([name, sub]) => ({
      subresource: name,
      responseKind: { group: rt.group, version: rt.version, kind: sub.kind },
      verbs: sub.verbs,
    })),
  ];
  return {
    resource: rt.plural,
    responseKind,
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.custom?.verbs ?? verbs,
    ...(rt.shortNames?.length ? { shortNames: rt.shortNames } : {}),
    ...(rt.categories?.length ? { categories: rt.categories } : {}),
    ...(subresources.length ? { subresources } : {}),
  };
}
