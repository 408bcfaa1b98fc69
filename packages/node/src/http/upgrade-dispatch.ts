/**
 * HTTP upgrades (`Connection: Upgrade`): `/mesh` goes to the mesh's WebSocket server, a dialect's
 * paths to that dialect, anything else gets 404 `NOT_FOUND` from the catalog and is closed. Node hands an upgraded socket over without
 * its own 'error' listener, so one is added first: a client that resets while the answer is being
 * written would otherwise raise an unheard 'error' and end the process (issue 11).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { sigmeshError } from '@sigmesh/protocol';
import type { Logger } from '../log/create-logger.js';
import { rawErrorResponse } from './raw-error-response.js';

/** Where upgrades to one path go (the mesh, a dialect). */
export interface UpgradeTarget {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** The server's 'upgrade' listener, for upgrade targets by exact path. */
export function dispatchUpgrades(
  targets: ReadonlyMap<string, UpgradeTarget>,
  log: Logger,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    socket.on('error', (error) => log.debug({ err: error }, 'http: upgraded socket error'));
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const target = targets.get(path);
    if (target !== undefined) {
      target.handleUpgrade(request, socket, head);
      return;
    }
    log.debug({ code: 'NOT_FOUND', url: request.url }, 'http: upgrade to an unknown path');
    socket.end(rawErrorResponse(sigmeshError('NOT_FOUND', `no upgrade at ${path}`)), () =>
      socket.destroy(),
    );
  };
}
