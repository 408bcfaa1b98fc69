import { sha1 } from '@noble/hashes/legacy.js';
import { toHex, utf8 } from './encoding.js';
import { parsed, rejected, type ParseResult } from './parse-result.js';

/** A room: 20 bytes as 40 lowercase hex characters (the size of a BitTorrent info-hash). */
export type RoomHash = string & { readonly __brand: 'RoomHash' };

const ROOM_HASH_PATTERN = /^[0-9a-f]{40}$/;

/** True for 40 lowercase hex characters. */
export function isRoomHash(value: unknown): value is RoomHash {
  return typeof value === 'string' && ROOM_HASH_PATTERN.test(value);
}

/** Parses a room hash from untrusted input. */
export function parseRoomHash(value: unknown): ParseResult<RoomHash> {
  if (isRoomHash(value)) return parsed(value);
  return rejected(
    'ROOM_HASH_INVALID',
    `room hash must be 40 lowercase hex characters, got ${describe(value)}`,
  );
}

/**
 * Derives the room hash for a room name inside an application:
 * `hex(sha1("sigmesh:v1:" + appId + "\0" + room))`. The NUL separator keeps
 * ("a:b", "c") and ("a", "b:c") apart; the prefix keeps sigmesh rooms out of other SHA-1 spaces.
 */
export function deriveRoomHash(appId: string, room: string): RoomHash {
  if (appId.length === 0) throw new TypeError('appId must not be empty');
  return toHex(sha1(utf8(`sigmesh:v1:${appId}\0${room}`))) as RoomHash;
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  return JSON.stringify(value.length > 50 ? `${value.slice(0, 50)}…` : value);
}
