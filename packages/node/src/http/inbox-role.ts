import {
  fromBase64url,
  inboxOwnerTranscript,
  inboxRoomHash,
  isInboxHash,
  parseInboxOwnerProof,
  sigmeshError,
  utf8,
  type InboxRole,
  type RoomHash,
} from '@sigmesh/protocol';
import { verifyEd25519 } from '../identity/ed25519-verify.js';

/** What an inbox join's role is decided from. */
export interface InboxJoin {
  readonly room: RoomHash;
  /** The `owner` query value, if the join carried one. */
  readonly owner: unknown;
  /** The join's PoW token (already checked), bound into the owner's signature. */
  readonly token: string | undefined;
  readonly nodeId: string;
  readonly now: number;
  readonly windowMs: number;
}

/**
 * A join's role in `room`: undefined for a room, `guest` for an inbox joined without a proof,
 * `owner` for one whose proof holds — a key whose inbox is `room`, signed within `windowMs` of
 * `now`, over this node's id and the join's own token (docs/http-api.md § Inboxes). Throws
 * INBOX_OWNER_INVALID otherwise. Run after the PoW check: the signature costs more than a hash.
 */
export function inboxRole(join: InboxJoin): InboxRole | undefined {
  if (!isInboxHash(join.room)) return undefined;
  if (join.owner === undefined) return 'guest';
  const proof = parseInboxOwnerProof(join.owner);
  if (!proof.ok) throw sigmeshError(proof.code, proof.message);
  const { key, signedAt, sig } = proof.value;
  const raw = fromBase64url(key)!;
  if (inboxRoomHash(raw) !== join.room)
    throw sigmeshError('INBOX_OWNER_INVALID', 'the proof is for another inbox');
  if (Math.abs(join.now - signedAt) > join.windowMs)
    throw sigmeshError(
      'INBOX_OWNER_INVALID',
      `the proof was signed more than ${join.windowMs} ms from this node's clock`,
    );
  const transcript = utf8(inboxOwnerTranscript(join.room, join.nodeId, signedAt, join.token));
  if (!verifyEd25519(raw, transcript, fromBase64url(sig)!))
    throw sigmeshError('INBOX_OWNER_INVALID', 'the signature does not verify');
  return 'owner';
}
