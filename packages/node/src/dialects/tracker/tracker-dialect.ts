import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { sigmeshError, type ErrorCode } from '@sigmesh/protocol';
import { rawErrorResponse } from '../../http/raw-error-response.js';
import { clientKey } from '../../pow/client-key.js';
import type { Dialect, DialectFactory } from '../dialect.js';
import { LoadAdmission } from './load-admission.js';
import { Tracker } from './tracker.js';
import { clientAddress } from '../../http/client-address.js';

/** The WebSocket paths of the tracker: WebTorrent apps use `/announce`, Trystero any URL. */
export const TRACKER_PATHS = ['/announce', '/'] as const;

/** How often silent peers expire, offers are forgotten and unidentified members are asked. */
const SWEEP_MS = 1_000;

/**
 * The WebTorrent WebSocket tracker dialect (docs/dialects.md § WebTorrent tracker): WebTorrent,
 * bittorrent-tracker and Trystero's torrent strategy announce here unchanged, and each swarm is a
 * room of the mesh, so peers on different nodes exchange offers and answers.
 */
export const trackerDialect: DialectFactory = (ctx) => {
  const { config, log } = ctx;
  const admission = new LoadAdmission(ctx.load, config.powLoadKnee);
  const tracker = new Tracker(config, ctx.rooms, admission, log, ctx.now);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.trackerMaxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  if (config.trackerPeerTimeoutSeconds <= config.trackerIntervalSeconds)
    log.info(
      { peerTimeout: config.trackerPeerTimeoutSeconds, interval: config.trackerIntervalSeconds },
      'tracker: --tracker-peer-timeout-seconds is not above --tracker-interval-seconds: peers that announce on time will expire',
    );
  const sweeper = setInterval(() => tracker.sweep(), SWEEP_MS);
  sweeper.unref();
  let stopped = false;

  const refuse = (socket: Duplex, code: ErrorCode, message: string): void => {
    tracker.counters.add('connections_refused');
    tracker.counters.refused(code);
    log.debug({ code }, `tracker: upgrade refused: ${message}`);
    socket.end(rawErrorResponse(sigmeshError(code, message, { retryAfter: 10 })), () =>
      socket.destroy(),
    );
  };

  const dialect: Dialect = {
    name: 'tracker',
    title: 'WebTorrent tracker (WebTorrent, Trystero torrent)',
    paths: TRACKER_PATHS,
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer) {
      if (stopped) {
        socket.destroy();
        return;
      }
      const address = clientKey(clientAddress(request, config.trustProxy));
      if (tracker.connectionsOf(address) >= config.trackerMaxConnectionsPerAddress)
        return refuse(
          socket,
          'TRACKER_TOO_MANY_CONNECTIONS',
          `at most ${config.trackerMaxConnectionsPerAddress} tracker connections per address`,
        );
      if (admission.overloaded())
        return refuse(
          socket,
          'TRACKER_OVERLOADED',
          'the node is too busy for new tracker connections',
        );
      wss.handleUpgrade(request, socket, head, (ws) => {
        if (stopped) ws.terminate();
        else tracker.accept(ws, socket, address);
      });
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweeper);
      tracker.stop();
      wss.close();
    },
    stats() {
      return { connections: tracker.connections.size, counters: tracker.counters.snapshot() };
    },
  };
  return dialect;
};
