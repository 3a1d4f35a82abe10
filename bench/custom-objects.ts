/**
 * The custom kind the API benchmark creates objects of: a namespaced kind with a small structural
 * schema of the size operators' CRDs have (a spec of a few typed fields, an enum, a default) and
 * a status subresource.
 */
const group = 'bench.kplane.io';
const version = 'v1';
const plural = 'databases';

/** The CustomResourceDefinition to install before the rounds. */
export const benchCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.${group}` },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural, singular: 'database', kind: 'Database' },
    versions: [
      {
        name: version,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['engine', 'storageGi'],
                properties: {
                  engine: { type: 'string', enum: ['postgres', 'mysql'] },
                  version: { type: 'string', maxLength: 16 },
                  replicas: { type: 'integer', minimum: 1, maximum: 9, default: 1 },
                  storageGi: { type: 'integer', minimum: 1 },
                  backup: { type: 'boolean' },
                },
              },
              status: {
                type: 'object',
                properties: { phase: { type: 'string' }, readyReplicas: { type: 'integer' } },
              },
            },
          },
        },
      },
    ],
  },
};

/** The collection path of the kind's objects in namespace `ns`. */
export const customObjectsPath = (ns: string) => `/apis/${group}/${version}/namespaces/${ns}/${plural}`;

/** The i-th object's body; `replicas` is left out so that its default is applied. */
export function customObjectBody(i: number, ns: string): string {
  return JSON.stringify({
    apiVersion: `${group}/${version}`,
    kind: 'Database',
    metadata: { name: `db-${i}`, namespace: ns, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { engine: i % 2 ? 'mysql' : 'postgres', version: '16.4', storageGi: 10, backup: true },
  });
}
