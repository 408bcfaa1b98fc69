import { sigmeshError } from '@sigmesh/protocol';
import type { Dialect, DialectFactory } from '../dialect.js';
import { rawErrorResponse } from '../../http/raw-error-response.js';
import { DialectCounters } from '../topics/dialect-counters.js';
import type { TopicBusStats } from '../topics/topic-bus.js';
import { topicServices } from '../topics/topic-services.js';
import { TopicSocketServer } from '../topics/topic-socket-server.js';
import { EventVerifier } from './event-verifier.js';
import { registerNip11Route, relayInformation } from './nip11-route.js';
import { handleNostrFrame } from './nostr-frames.js';
import { NostrSession } from './nostr-session.js';

/** The URL path of the Nostr relay (and of its NIP-11 document). */
export const NOSTR_PATH = '/nostr';

/** The topic bus's totals as dialect counters (`bus_published`, `bus_replays`, …). */
function busCounters(stats: TopicBusStats): Record<string, number> {
  return {
    bus_published: stats.published,
    bus_from_mesh: stats.fromMesh,
    bus_replays: stats.replays,
    bus_mesh_refused: stats.meshRefused,
  };
}

/**
 * The Nostr dialect: a NIP-01 relay subset for Trystero's default strategy (docs/dialects.md
 * § Trystero topic relays), on the node's topic bus.
 */
export const nostrDialect: DialectFactory = (ctx) => {
  const { bus, quotas } = topicServices(ctx);
  const counters = new DialectCounters();
  const verifier = new EventVerifier();
  const deps = { config: ctx.config, log: ctx.log, now: ctx.now, bus, quotas, verifier, counters };
  const server = new TopicSocketServer({
    config: ctx.config,
    log: ctx.log,
    quotas,
    counters,
    open: (socket) => {
      const session = new NostrSession(deps, socket);
      return { message: (text) => handleNostrFrame(session, text), closed: () => session.closed() };
    },
  });
  verifier.ready.catch((error: unknown) =>
    ctx.log.error({ err: error }, 'nostr: nostr-wasm did not load'),
  );
  const dialect: Dialect = {
    name: 'nostr',
    title: 'Nostr relay (Trystero nostr)',
    paths: [NOSTR_PATH],
    handleUpgrade(request, socket, head) {
      if (verifier.loaded) return server.handleUpgrade(request, socket, head);
      // Only in the first milliseconds of a process: signatures cannot be checked before this.
      verifier.ready.then(
        () => server.handleUpgrade(request, socket, head),
        () =>
          socket.end(
            rawErrorResponse(sigmeshError('INTERNAL_ERROR', 'the signature checker did not load')),
            () => socket.destroy(),
          ),
      );
    },
    registerRoutes(app) {
      registerNip11Route(app, NOSTR_PATH, () =>
        relayInformation(ctx.config, ctx.identity.id, ctx.version),
      );
    },
    stop: () => server.stop(),
    stats: () => ({
      connections: server.connections,
      // The bus is shared with ws-relay; its counters are reported here once.
      counters: { ...counters.snapshot(), ...busCounters(bus.stats()) },
    }),
  };
  return dialect;
};
