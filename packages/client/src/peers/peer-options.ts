import type { ClientId, PeerSignal } from '@sigmesh/protocol';
import type { Peer } from './peer.js';

/** What a peer tells its room. */
export interface PeerHandlers {
  /** The data channel opened: the peer is reachable (`peer-join`). */
  open(peer: Peer): void;
  /** The connection is gone for good (`peer-leave` if it had opened). */
  closed(peer: Peer, error: Error | undefined): void;
  message(peer: Peer, data: unknown): void;
  track(peer: Peer, track: MediaStreamTrack, stream: MediaStream, metadata: unknown): void;
  streamRemoved(peer: Peer, stream: MediaStream): void;
  stateChanged(peer: Peer): void;
  /** Signals that must go through the nodes (no open data channel yet). */
  sendViaRoom(peer: Peer, signals: readonly PeerSignal[]): Promise<void>;
  error(peer: Peer, error: Error): void;
}

export type PeerConnectionFactory = new (configuration: RTCConfiguration) => RTCPeerConnection;

export interface PeerOptions {
  readonly id: ClientId;
  /** The polite peer yields on offer collisions (perfect negotiation, W3C WebRTC §10.7). */
  readonly polite: boolean;
  readonly configuration: RTCConfiguration;
  readonly RTCPeerConnection: PeerConnectionFactory;
  readonly handlers: PeerHandlers;
}
