import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64url, toHex, utf8 } from './encoding.js';
import { parsed, rejected, type ParseResult } from './parse-result.js';
import { isRoomHash, type RoomHash } from './room-hash.js';

/**
 * Inboxes: a room per identity where its owner listens and anyone who knows the key can ring.
 *
 * An inbox's room hash is {@link INBOX_HASH_PREFIX} (8 bytes, ASCII `sm-inbox`) followed by the
 * first 12 bytes of SHA-256("sigmesh-inbox:v1\0" ‖ the owner's raw ed25519 public key). The
 * prefix lets every node tell an inbox from a room without knowing the key, so the inbox rules
 * hold on every route: a member joins an inbox either as its `owner` (proving the key, see
 * {@link inboxOwnerTranscript}) or as a `guest`; guests are told of nobody and receive only
 * messages addressed to them, owners receive every message and every join. Hijacking a given
 * inbox needs a second preimage on 96 bits; a room name hitting the prefix by chance, 2^-64.
 */
export const INBOX_HASH_PREFIX = '736d2d696e626f78';

/** How a member is in an inbox: its owner, or someone ringing it. */
export type InboxRole = 'owner' | 'guest';

/** Raw ed25519 public keys are 32 bytes: 43 base64url characters. */
const KEY_CHARS = 43;
/** ed25519 signatures are 64 bytes: 86 base64url characters. */
const SIG_CHARS = 86;

/** True when `room` is an inbox's hash (it carries the inbox prefix). */
export function isInboxHash(room: string): boolean {
  return room.startsWith(INBOX_HASH_PREFIX);
}

/** The inbox room of a raw 32-byte ed25519 public key. */
export function inboxRoomHash(publicKey: Uint8Array): RoomHash {
  if (publicKey.length !== 32)
    throw new TypeError(`an ed25519 public key is 32 bytes, got ${publicKey.length}`);
  const input = new Uint8Array(INBOX_DOMAIN.length + 32);
  input.set(INBOX_DOMAIN);
  input.set(publicKey, INBOX_DOMAIN.length);
  const hash = INBOX_HASH_PREFIX + toHex(sha256(input).subarray(0, 12));
  if (!isRoomHash(hash)) throw new Error('inbox hash is not a room hash'); // Cannot happen.
  return hash;
}

const INBOX_DOMAIN = utf8('sigmesh-inbox:v1\0');

/**
 * The exact text an owner signs (ed25519) to listen on its inbox at one node: the inbox, the
 * node's id, the signing time (Unix ms) and the join's PoW token (empty only for a join without
 * one, which sigmesh nodes refuse). The token is single-use and the node id names one node, so a
 * proof cannot be replayed elsewhere, nor on the same node once its token is spent; the time
 * keeps a proof from being made long before it is used.
 */
export function inboxOwnerTranscript(
  room: RoomHash,
  nodeId: string,
  signedAt: number,
  token: string | undefined,
): string {
  return `sigmesh-inbox-owner:v1\n${room}\n${nodeId}\n${signedAt}\n${token ?? ''}`;
}

/** An owner's proof as carried in a join: `?owner=KEY.SIGNED_AT.SIG`. */
export interface InboxOwnerProof {
  /** Raw ed25519 public key, base64url. */
  readonly key: string;
  /** When it was signed, Unix ms. */
  readonly signedAt: number;
  /** ed25519 signature over {@link inboxOwnerTranscript}, base64url. */
  readonly sig: string;
}

/** The `owner` query value of a proof. */
export function formatInboxOwnerProof(proof: InboxOwnerProof): string {
  return `${proof.key}.${proof.signedAt}.${proof.sig}`;
}

/** Parses an `owner` query value (shape only: the node checks the key and signature). */
export function parseInboxOwnerProof(value: unknown): ParseResult<InboxOwnerProof> {
  const bad = rejected(
    'INBOX_OWNER_INVALID',
    'an owner proof is KEY.SIGNED_AT.SIG: a 32-byte key and a 64-byte signature in base64url, the time in Unix ms',
  );
  if (typeof value !== 'string' || value.length > KEY_CHARS + SIG_CHARS + 18) return bad;
  const [key, at, sig, extra] = value.split('.');
  if (extra !== undefined || key === undefined || at === undefined || sig === undefined) return bad;
  if (key.length !== KEY_CHARS || sig.length !== SIG_CHARS || !/^(0|[1-9][0-9]{0,15})$/.test(at))
    return bad;
  if (fromBase64url(key)?.length !== 32 || fromBase64url(sig)?.length !== 64) return bad;
  return parsed({ key, signedAt: Number(at), sig });
}
