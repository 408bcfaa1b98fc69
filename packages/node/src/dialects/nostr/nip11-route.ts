import type { FastifyInstance } from 'fastify';
import { NOSTR_MAX_SUB_ID_LENGTH } from '@sigmesh/protocol';
import type { NodeConfig } from '../../config/node-options.js';
import { maxFrameBytes } from '../topics/topic-socket-server.js';

/** The NIP-11 relay information document (docs/http-api.md § GET /nostr). */
export interface RelayInformation {
  readonly name: string;
  readonly description: string;
  readonly software: string;
  readonly version: string;
  readonly supported_nips: readonly number[];
  readonly limitation: Readonly<Record<string, number | boolean>>;
}

/** The document for a node: what it relays and the limits it enforces, from its options. */
export function relayInformation(
  config: NodeConfig,
  nodeId: string,
  version: string,
): RelayInformation {
  return {
    name: `sigmesh ${nodeId.slice(0, 12)}`,
    description:
      'A sigmesh node: ephemeral events (kinds 20000-29999) with an x tag, relayed live to every node of the sigmesh mesh with subscribers to that topic (Trystero rooms meet across nodes). Nothing is stored.',
    software: 'sigmesh',
    version,
    supported_nips: [1, 11],
    limitation: {
      max_message_length: maxFrameBytes(config),
      max_subscriptions: config.topicsMaxSubscriptionsPerConnection,
      max_filters: config.topicsMaxFiltersPerRequest,
      max_subid_length: NOSTR_MAX_SUB_ID_LENGTH,
      min_pow_difficulty: 0,
      auth_required: false,
      payment_required: false,
      restricted_writes: true,
      created_at_lower_limit: config.nostrClockWindowSeconds,
      created_at_upper_limit: config.nostrClockWindowSeconds,
    },
  };
}

/**
 * `GET /nostr`: with `Accept: application/nostr+json`, the NIP-11 document with the CORS headers
 * NIP-11 requires; otherwise a line saying what the URL is for.
 */
export function registerNip11Route(
  app: FastifyInstance,
  path: string,
  document: () => RelayInformation,
): void {
  app.get(path, (request, reply) => {
    void reply
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-headers', '*')
      .header('access-control-allow-methods', 'GET, OPTIONS')
      .header('vary', 'accept');
    if ((request.headers.accept ?? '').includes('application/nostr+json'))
      return reply.type('application/nostr+json').send(JSON.stringify(document()));
    return reply
      .type('text/plain; charset=utf-8')
      .send(
        'sigmesh Nostr relay: connect a Nostr client (WebSocket) to this URL. See docs/dialects.md.\n',
      );
  });
}
