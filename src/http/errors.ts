import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { errors, StatusError, type Status } from '../apimachinery/errors.js';
import { acceptedMediaTypes, maxBodyBytes } from './body.js';

/** Sends a Status as the response, with its code as the HTTP status. */
export function sendStatus(reply: FastifyReply, status: Status): FastifyReply {
  return reply.code(status.code).type('application/json').send(status);
}

/** Maps any error to the Kubernetes Status a client should see. */
function toStatusError(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.tooLarge(maxBodyBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(String(fe.message ?? ''), acceptedMediaTypes);
  }
  const code = fe.statusCode ?? 500;
  if (code >= 400 && code < 500) return errors.badRequest(fe.message ?? 'bad request');
  return errors.internal(fe.message ?? String(err));
}

/**
 * Every error and every unknown path is answered with a `metav1.Status` body: kubectl only shows
 * the server's message and reason when it gets one (client-go's `rest/request.go`,
 * `transformResponse`).
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const se = toStatusError(err);
    if (se.code >= 500) req.log.error({ err }, 'request failed');
    return sendStatus(reply, se.toStatus());
  });
  app.setNotFoundHandler((_req, reply) => sendStatus(reply, errors.pathNotFound().toStatus()));
}
