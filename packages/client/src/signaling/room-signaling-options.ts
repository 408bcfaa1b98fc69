import type { ClientId, PeerSignal, RoomHash, SigmeshError } from '@sigmesh/protocol';
import type { NodePool, ProbedNode } from '../nodes/node-pool.js';
import type { NodeSession } from '../nodes/node-session.js';
import type { PowSolver } from '../pow/pow-solver.js';
import type { PeerIdentity } from '../identity/peer-identity.js';
import type { HelloSigner } from './client-identity.js';
import type { PayloadCodecOptions } from './payload-codec.js';
import type { RoomKey } from './room-key.js';

/** What the nodes tell the room about other clients. */
export interface SignalingHandlers {
  /** A client proved who it is (its first verified hello), with the key it proved it by. */
  clientSeen(id: ClientId, identity: PeerIdentity): void;
  /** No node we are on sees any member of this client any more. */
  clientGone(id: ClientId): void;
  signals(id: ClientId, signals: readonly PeerSignal[]): void;
  nodesChanged(urls: readonly string[]): void;
  /** Our join of `node` is paid and on its way (the PoW worker is free until the welcome). */
  joinPaid(node: ProbedNode): void;
  /**
   * A node accepted us: `session` is our membership there (its probe has the other challenges).
   * Resolves once its TURN credentials are fetched (or failed: never rejects).
   */
  joined(session: NodeSession): Promise<void>;
  error(error: SigmeshError): void;
}

export interface RoomSignalingOptions {
  readonly room: RoomHash;
  readonly identity: HelloSigner;
  /** With a password: the room key, or its derivation still under way. */
  readonly key: RoomKey | Promise<RoomKey> | undefined;
  readonly pool: NodePool;
  readonly solver: PowSolver;
  /** How many nodes to join at once. */
  readonly k: number;
  readonly joinTimeoutMs: number;
  /** A node asking more than this per post is left for a cheaper one. */
  readonly maxPowDifficulty: number;
  /** Bounds on what other members' payloads may hold here, and the replay window. */
  readonly payloads: PayloadCodecOptions;
  readonly handlers: SignalingHandlers;
}
