/**
 * Protocol-level defaults shared by nodes and clients. Nodes expose each as a named option
 * (see docs/limits.md); clients use them to size what they send.
 */
export const protocolLimits = {
  /** Largest POST /room/HASH body a node accepts by default, in bytes. */
  maxMessageBytes: 1024,
  /** Largest proof-of-work difficulty a challenge can carry (uint32). */
  maxDifficulty: 0xffff_ffff,
  /** Peer ids are 16 random bytes as 32 lowercase hex characters. */
  peerIdHexLength: 32,
  /**
   * Levels of arrays and objects in a room message's `data` (posts and mesh `message` frames).
   * Nodes write every message back out with `JSON.stringify`, which overflows the stack near
   * 5,000 levels; client payloads nest 4.
   */
  maxDataDepth: 64,
} as const;

/** A peer: 32 lowercase hex characters, assigned by the node at join. */
export type PeerId = string & { readonly __brand: 'PeerId' };

const PEER_ID_PATTERN = /^[0-9a-f]{32}$/;

/** True for a well-formed peer id. */
export function isPeerId(value: unknown): value is PeerId {
  return typeof value === 'string' && PEER_ID_PATTERN.test(value);
}
