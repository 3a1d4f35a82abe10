import { defineController, watchKind, type ObjectKey } from '../src/index.js';

/**
 * A complete custom controller: every Service gets an annotation saying how many ready endpoint
 * addresses it has, kept up to date as its Endpoints change.
 */
export const endpointCounter = defineController({
  name: 'endpoint-counter',
  for: 'Service',
  watches: [
    watchKind('Endpoints', (ep): ObjectKey[] => [{ namespace: ep.metadata.namespace, name: ep.metadata.name! }]),
  ],
  async reconcile(ctx, key) {
    const svc = ctx.listers.Service.get(key);
    if (!svc) return; // deleted: nothing to do
    const ep = ctx.listers.Endpoints.get(key);
    const ready = String((ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0));
    if (svc.metadata.annotations?.['example.com/ready-endpoints'] === ready) return; // level-based: skip no-op writes
    await ctx.client.patch('Service', key, { metadata: { annotations: { 'example.com/ready-endpoints': ready } } });
  },
});
