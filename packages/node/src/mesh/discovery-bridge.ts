import type { RoomHash } from '@sigmesh/protocol';
import type { Discovery } from '../discovery/discovery.js';
import type { RoomPeer } from '../discovery/room-rendezvous.js';
import type { Logger } from '../log/create-logger.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { Mesh } from './mesh.js';

/** How often known nodes are re-verified by a handshake, and how many per round. */
const VERIFY_EVERY_MS = 60_000;
const VERIFY_PER_ROUND = 8;
const REVERIFY_AFTER_MS = 10 * 60_000;

/**
 * Connects the three: a room's first local member makes discovery announce it and the mesh link to
 * the nodes found for it; the last one leaving stops the announce. Nodes found on the network key
 * are verified by a mesh handshake (then listed at `/nodes`); the link closes again when idle.
 */
export function bridgeDiscovery(options: {
  discovery: Discovery;
  mesh: Mesh;
  rooms: RoomRegistry;
  log: Logger;
}): { stop(): void } {
  const { discovery, mesh, rooms, log } = options;
  const peerUrl = (peer: RoomPeer): string =>
    `http://${peer.host.includes(':') ? `[${peer.host}]` : peer.host}:${peer.port}`;
  const hasLocal = (room: RoomHash): boolean => rooms.localPeers(room).length > 0;

  rooms.observe({
    roomOpened(room) {
      const outcome = discovery.joinRoom(room);
      if (outcome === 'limit')
        log.warn({ room }, 'room not announced: discovery room limit reached (served locally)');
      for (const peer of discovery.roomPeers(room)) mesh.want(peerUrl(peer), room);
    },
    roomClosed(room) {
      discovery.leaveRoom(room);
    },
  });
  discovery.on('room-peer', (peer) => {
    if (hasLocal(peer.room as RoomHash)) mesh.want(peerUrl(peer), peer.room as RoomHash);
  });

  const verify = (): void => {
    const recent = new Set(mesh.verifiedNodes(REVERIFY_AFTER_MS).map((node) => node.id));
    const due = discovery
      .knownNodes()
      .filter((node) => !recent.has(node.descriptor.id))
      .slice(0, VERIFY_PER_ROUND);
    for (const node of due) {
      mesh.connect(node.descriptor.url, node.descriptor.id).catch((error: unknown) => {
        log.debug({ err: error, node: node.descriptor.id }, 'node verification failed');
      });
    }
  };
  const timer = setInterval(verify, VERIFY_EVERY_MS);
  timer.unref();
  discovery.on('status', (status) => {
    if (status.bootstrapped) setTimeout(verify, 1000).unref();
  });
  return { stop: () => clearInterval(timer) };
}
