import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The ETag kube-apiserver gives a served document (kube-openapi's handlers, aggregated discovery):
 * the quoted SHA-512 of its bytes, upper-case hex.
 */
export function etagOf(body: string): string {
  return `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"`;
}

/**
 * Sets `etag` on the reply and tells whether the request's `If-None-Match` names it (weakly
 * compared, or `*`): the answer is then a 304 without a body, as net/http's ServeContent gives,
 * which is what kubectl's HTTP cache (`--cache-dir`) revalidates with.
 */
export function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('ETag', etag);
  const ifNoneMatch = req.headers['if-none-match'];
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
