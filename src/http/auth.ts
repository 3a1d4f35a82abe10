import type { FastifyInstance } from 'fastify';
import { errors } from '../apimachinery/errors.js';
import type { TokenAuthenticator } from '../auth/tokens.js';
import { sendStatus } from './errors.js';
import { publicPaths } from './routes/health.js';

/**
 * Bearer-token authentication for the secure port: every request but the public health and
 * version paths needs a known token, in the Authorization header or (browsers' WebSocket
 * watches) in the `base64url.bearer.authorization.k8s.io.<token>` subprotocol. Else 401.
 */
export function requireBearerToken(app: FastifyInstance, auth: TokenAuthenticator): void {
  app.addHook('onRequest', async (req, reply) => {
    if (publicPaths.has(req.url.split('?')[0])) return;
    const user =
      auth.authenticate(req.headers.authorization) ??
      auth.authenticateWebSocketProtocols(req.headers['sec-websocket-protocol'])?.user;
    if (!user) return sendStatus(reply, errors.unauthorized().toStatus());
  });
}
