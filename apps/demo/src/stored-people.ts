import type { PrivateInboxAddress } from '@sigmesh/client';
import { cleanName, isPeerKey, parseInboxAddress } from './contact-link.js';

/**
 * What the app keeps of people in `localStorage`, and the pure parsers that read it back. Stored
 * JSON is read like anything from outside: a damaged or foreign value gives an empty list (or the
 * good entries of it), never an exception, and every list is cut to its bound.
 */

/** Someone the user added: calls and presence go by the key, or the private inbox when known. */
export interface Contact {
  readonly key: string;
  readonly name: string | undefined;
  /** Their private inbox, from the link they were added by (absent when it had none). */
  readonly inbox?: PrivateInboxAddress;
  /** Unix ms. */
  readonly addedAt: number;
  /** When a ping last got an answer (Unix ms). */
  readonly lastSeen: number | undefined;
}

/** Someone whose rings, pings and requests are refused. */
export interface BlockedPerson {
  readonly key: string;
  readonly name: string | undefined;
}

/** Someone met in a room with a lasting identity: a candidate contact. */
export interface KnownPeer {
  readonly key: string;
  readonly name: string | undefined;
  /** The room they were last met in. */
  readonly room: string;
  readonly seenAt: number;
}

/** A call nobody answered here (rung while the app was open, or noted in the DHT). */
export interface MissedCallEntry {
  readonly from: string;
  readonly name: string | undefined;
  readonly at: number;
  /** The call's id: the same call reported twice (event and note) is kept once. */
  readonly call: string;
}

/** A contact request received (the client's `request` event), kept until accepted or ignored. */
export interface StoredRequest {
  readonly from: string;
  readonly name: string | undefined;
  readonly text: string | undefined;
  /** When the sender made it (Unix ms). */
  readonly at: number;
}

export const MAX_CONTACTS = 500;
export const MAX_BLOCKED = 500;
export const MAX_KNOWN_PEERS = 500;
export const MAX_MISSED_CALLS = 100;
export const MAX_REQUESTS = 100;
/** The client's own bound on a request's text. */
export const MAX_REQUEST_TEXT = 280;
const MAX_ROOM_NAME = 200;
const MAX_CALL_ID = 64;

type Fields = Readonly<Record<string, unknown>>;

export function parseContacts(json: string | null): Contact[] {
  return parseList(
    json,
    MAX_CONTACTS,
    (item) => item.key,
    (item) => {
      const key = peerKey(item.key);
      const addedAt = time(item.addedAt);
      if (key === undefined || addedAt === undefined) return undefined;
      const contact = { key, name: name(item.name), addedAt, lastSeen: time(item.lastSeen) };
      // Contacts stored before private inboxes have none; a damaged one is dropped, not the
      // contact (it stays reachable by its key).
      const inbox = parseInboxAddress(item.inbox);
      return inbox === undefined ? contact : { ...contact, inbox };
    },
  );
}

export function parseBlocked(json: string | null): BlockedPerson[] {
  return parseList(
    json,
    MAX_BLOCKED,
    (item) => item.key,
    (item) => {
      const key = peerKey(item.key);
      return key === undefined ? undefined : { key, name: name(item.name) };
    },
  );
}

export function parseKnownPeers(json: string | null): KnownPeer[] {
  return parseList(
    json,
    MAX_KNOWN_PEERS,
    (item) => item.key,
    (item) => {
      const key = peerKey(item.key);
      const seenAt = time(item.seenAt);
      const room = typeof item.room === 'string' ? item.room.slice(0, MAX_ROOM_NAME) : '';
      if (key === undefined || seenAt === undefined) return undefined;
      return { key, name: name(item.name), room, seenAt };
    },
  );
}

export function parseMissedCalls(json: string | null): MissedCallEntry[] {
  return parseList(
    json,
    MAX_MISSED_CALLS,
    (item) => JSON.stringify([item.from, item.call]),
    (item) => {
      const from = peerKey(item.from);
      const at = time(item.at);
      const call =
        typeof item.call === 'string' && item.call.length > 0 && item.call.length <= MAX_CALL_ID
          ? item.call
          : undefined;
      if (from === undefined || at === undefined || call === undefined) return undefined;
      return { from, name: name(item.name), at, call };
    },
  ).sort((a, b) => a.at - b.at);
}

/** Requests in the order they arrived (the sender's `at` is its own claim: not used to order). */
export function parseRequests(json: string | null): StoredRequest[] {
  return parseList(
    json,
    MAX_REQUESTS,
    (item) => item.from,
    (item) => {
      const from = peerKey(item.from);
      const at = time(item.at);
      if (from === undefined || at === undefined) return undefined;
      const text =
        typeof item.text === 'string' && item.text.trim() !== ''
          ? item.text.slice(0, MAX_REQUEST_TEXT)
          : undefined;
      return { from, name: name(item.name), text, at };
    },
  );
}

/** A stored time (Unix ms); undefined when missing or not one. */
export function parseTime(text: string | null): number | undefined {
  if (text === null) return undefined;
  return time(Number(text));
}

export function parseAcceptFrom(text: string | null): 'anyone' | 'contacts' {
  return text === 'contacts' ? 'contacts' : 'anyone';
}

/**
 * Keeps the well-formed items of a stored JSON array: one per identity (the last one wins, so a
 * list written in order keeps the newest), and only the last `max`.
 */
function parseList<T>(
  json: string | null,
  max: number,
  identity: (item: Fields) => unknown,
  parse: (item: Fields) => T | undefined,
): T[] {
  let value: unknown;
  try {
    value = json === null ? [] : JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(value)) return [];
  const kept = new Map<unknown, T>();
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) continue;
    const fields = item as Fields;
    const parsed = parse(fields);
    if (parsed === undefined) continue;
    const id = identity(fields);
    kept.delete(id);
    kept.set(id, parsed);
  }
  return [...kept.values()].slice(-max);
}

function peerKey(value: unknown): string | undefined {
  return typeof value === 'string' && isPeerKey(value) ? value : undefined;
}

function name(value: unknown): string | undefined {
  return typeof value === 'string' ? cleanName(value) : undefined;
}

function time(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
