import type { RoomHash } from '@sigmesh/protocol';
import type { Discovery } from '../discovery/discovery-handle.js';
import type { RoomPeer } from '../discovery/room-rendezvous.js';
import type { Logger } from '../log/create-logger.js';
import type { RoomRegistry } from '../rooms/room-registry.js';
import type { Mesh } from './mesh.js';

/** How many known nodes are verified per round, and how old a verification may get. */
const VERIFY_PER_ROUND = 8;
const REVERIFY_AFTER_MS = 10 * 60_000;

/**
 * Connects the three: a room's first local member makes discovery announce it and look it up, and
 * the nodes found become candidates of the room's overlay (the mesh links to a bounded choice of
 * them); the last one leaving stops the announce. Nodes found on the network key are verified by a
 * mesh handshake (then listed at `/nodes`); that link closes again once idle, rooms or not.
 */
export function bridgeDiscovery(options: {
  discovery: Discovery;
  mesh: Mesh;
  rooms: RoomRegistry;
  log: Logger;
  /** How often known nodes are checked for verification. */
  verifyEveryMs: number;
}): { stop(): void } {
  const { discovery, mesh, rooms, log } = options;
  // Discovery gives the verified descriptor's URL when it knows the node, else http://HOST:PORT.
  const peerUrl = (peer: RoomPeer): string => peer.url;
  const hasLocal = (room: RoomHash): boolean => rooms.localPeers(room).length > 0;

  mesh.setRoomLookup((room) => discovery.lookupRoom(room));
  rooms.observe({
    roomOpened(room) {
      // Discovery logs the room limit itself; the room is still served locally.
      discovery.joinRoom(room);
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
      mesh.connect(node.descriptor.url, node.descriptor.id, true).catch((error: unknown) => {
        log.debug({ err: error, node: node.descriptor.id }, 'node verification failed');
      });
    }
  };
  const timer = setInterval(verify, options.verifyEveryMs);
  timer.unref();
  let soon: NodeJS.Timeout | undefined;
  const onStatus = (status: { bootstrapped: boolean }): void => {
    if (!status.bootstrapped) return;
    clearTimeout(soon);
    soon = setTimeout(verify, 1000);
    soon.unref();
  };
  discovery.on('status', onStatus);
  return {
    stop() {
      clearInterval(timer);
      clearTimeout(soon);
      discovery.off('status', onStatus);
    },
  };
}
