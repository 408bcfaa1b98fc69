import type { DialectFactory } from '../dialect.js';
import { DialectCounters } from '../topics/dialect-counters.js';
import { topicServices } from '../topics/topic-services.js';
import { TopicSocketServer } from '../topics/topic-socket-server.js';
import { handleWsRelayFrame } from './ws-relay-frames.js';
import { WsRelaySession } from './ws-relay-session.js';

/**
 * The URL path of the ws-relay dialect. Named after the strategy, not `/trystero`: Trystero's
 * default (Nostr) users would take `/trystero` for theirs and get a protocol they do not speak.
 */
export const WS_RELAY_PATH = '/ws-relay';

/** The ws-relay dialect: Trystero's JSON pub/sub relay protocol on the node's topic bus. */
export const wsRelayDialect: DialectFactory = (ctx) => {
  const { bus, quotas } = topicServices(ctx);
  const counters = new DialectCounters();
  const deps = { config: ctx.config, log: ctx.log, bus, quotas, counters };
  const server = new TopicSocketServer({
    config: ctx.config,
    log: ctx.log,
    quotas,
    counters,
    open: (socket) => {
      const session = new WsRelaySession(deps, socket);
      return {
        message: (text) => handleWsRelayFrame(session, text),
        closed: () => session.closed(),
      };
    },
  });
  return {
    name: 'ws-relay',
    title: 'ws-relay (Trystero ws-relay)',
    paths: [WS_RELAY_PATH],
    handleUpgrade: (request, socket, head) => server.handleUpgrade(request, socket, head),
    stop: () => server.stop(),
    stats: () => ({ connections: server.connections, counters: counters.snapshot() }),
  };
};
