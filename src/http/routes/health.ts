import type { FastifyInstance } from 'fastify';

/** Paths answered without authentication, those of kube-apiserver's system:public-info-viewer role. */
export const publicPaths = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/**
 * `/healthz` and `/livez` answer `ok` while the process serves; `/readyz` only once storage is
 * open and the built-in controllers have synced (`isReady`), else 503.
 */
export async function healthRoutes(app: FastifyInstance, opts: { isReady: () => boolean }): Promise<void> {
  const ok = async () => 'ok';
  app.get('/healthz', ok);
  app.get('/livez', ok);
  app.get('/readyz', async (_req, reply) => (opts.isReady() ? 'ok' : reply.code(503).send('not ready')));
}
