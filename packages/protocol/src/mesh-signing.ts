import type { AnchorFrame } from './mesh-frames.js';

// The exact texts mesh nodes sign, hash or key with. Pure string builders: nodes hash and sign
// them with their platform's crypto, and every implementation must build the same bytes.

/** Mesh protocol version spoken in `hello.proto`; a link between different versions is refused. */
export const MESH_PROTOCOL_VERSION = 2;

/** The bytes each side signs: context, then the other's nonce, own nonce, own id, other's id. */
export function meshTranscript(
  theirNonce: string,
  myNonce: string,
  myId: string,
  theirId: string,
): string {
  return `sigmesh-mesh-v2\n${theirNonce}\n${myNonce}\n${myId}\n${theirId}`;
}

/**
 * What a dialing node hashes for its admission proof-of-work: the accepting node's fresh nonce
 * and the dialer's id, so a proof is good for one handshake of one key only. The puzzle is the
 * usual one ({@link checkPrefixSolution}): SHA-256(SHA-256(this text) ‖ counter) below the target.
 */
export function admissionText(acceptorNonce: string, dialerId: string): string {
  return `sigmesh-mesh-admit:v2\n${acceptorNonce}\n${dialerId}`;
}

/**
 * The input of the per-link key both ends derive after the handshake (SHA-256 of this text):
 * both nonces in sorted order, so each end builds the same text. Room interests are exchanged as
 * HMAC-SHA-256(link key, room hash), so a node learns only rooms it can name itself.
 */
export function linkKeyText(nonceA: string, nonceB: string): string {
  const [low, high] = nonceA < nonceB ? [nonceA, nonceB] : [nonceB, nonceA];
  return `sigmesh-link-key:v2\n${low}\n${high}`;
}

/** What an owner signs to start a beat chain (all fields of the anchor frame but `sig`). */
export function anchorSigningText(anchor: Omit<AnchorFrame, 't' | 'sig'>): string {
  const { owner, epoch, started, chain, root, length, interval } = anchor;
  return `sigmesh-anchor:v2\n${owner}\n${epoch}\n${started}\n${chain}\n${root}\n${length}\n${interval}`;
}

/**
 * The text hashed (SHA-256, hex) into a roster digest: the member ids sorted, one per line. The
 * owner signs the digest of the state a roster or delta leads to, so any node holding that state
 * can pass on a verifiable snapshot or delta without the owner.
 */
export function rosterDigestText(members: Iterable<string>): string {
  return [...members].sort().join('\n');
}

/** What an owner signs for its roster of one room at one version. */
export function rosterSigningText(
  room: string,
  owner: string,
  epoch: string,
  ver: number,
  digestHex: string,
): string {
  return `sigmesh-roster:v2\n${room}\n${owner}\n${epoch}\n${ver}\n${digestHex}`;
}
