import type { ClientId, SigmeshError } from '@sigmesh/protocol';
import type { PeerIdentity } from './identity/peer-identity.js';
import type { ConnectionRoute } from './peers/connection-route.js';

/** A remote peer as the room sees it. */
export interface PeerInfo {
  readonly id: ClientId;
  /** The key the peer proved itself with: recognize a known person by its fingerprint. */
  readonly identity: PeerIdentity;
  /** `RTCPeerConnection.connectionState`. */
  readonly connection: RTCPeerConnectionState;
  /** Direct (host or server-reflexive) or through a TURN relay, once connected. */
  readonly route: ConnectionRoute;
  /** The data channel is open: `send` works. */
  readonly open: boolean;
}

/** Events of a {@link Room}; subscribe with `room.on(name, listener)`. */
export interface RoomEvents {
  /**
   * A peer's data channel opened: it can be sent to. `identity` is the key it proved itself with
   * (`algorithm: 'Ed25519'` for a lasting identity: compare its fingerprint with known people's).
   */
  'peer-join': (peerId: ClientId, identity: PeerIdentity) => void;
  /** A peer that had joined is gone (left, or its connection failed for good). */
  'peer-leave': (peerId: ClientId) => void;
  /** A message from a peer: the JSON value it sent, or a Uint8Array for bytes. */
  message: (data: unknown, peerId: ClientId) => void;
  /** The first track of a remote stream arrived. */
  stream: (stream: MediaStream, peerId: ClientId, metadata: unknown) => void;
  /** A remote track arrived (every track, including the first of each stream). */
  track: (
    track: MediaStreamTrack,
    stream: MediaStream,
    peerId: ClientId,
    metadata: unknown,
  ) => void;
  /** The remote side removed every track of a stream. */
  'stream-removed': (stream: MediaStream, peerId: ClientId) => void;
  /** A peer's connection state or route changed. */
  'peer-state': (peer: PeerInfo) => void;
  /** The nodes this room is joined on changed (a node died, or a replacement joined). */
  nodes: (urls: readonly string[]) => void;
  /** Something went wrong that the room works around; `peerId` names the peer concerned. */
  error: (error: SigmeshError | Error, peerId?: ClientId) => void;
}

export interface AddStreamOptions {
  /** Send only to this peer (default: every peer, including those who join later). */
  readonly peerId?: ClientId;
  /** Any JSON value, given to the receiver's `stream` and `track` events (e.g. `{ kind: 'screen' }`). */
  readonly metadata?: unknown;
}
