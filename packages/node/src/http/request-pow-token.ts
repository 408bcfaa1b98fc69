import { powTokenFromAuthorization } from '@sigmesh/protocol';
import type { FastifyRequest } from 'fastify';

/**
 * The PoW token of a request: `Authorization: PoW <token>`, or the `pow` query parameter for
 * clients that cannot set headers (EventSource).
 */
export function requestPowToken(request: FastifyRequest): string | undefined {
  const fromHeader = powTokenFromAuthorization(request.headers.authorization);
  if (fromHeader !== undefined) return fromHeader;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.pow;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}
