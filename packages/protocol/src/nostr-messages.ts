import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// The NIP-01 messages a sigmesh node speaks at /nostr (docs/dialects.md § Trystero topic relays),
// with parsers from `unknown` for what clients send. Nothing here checks hashes or signatures:
// the node does that (dialects/nostr/event-verifier.ts); these are shapes only.

/** A Nostr event (NIP-01 § Events and signatures). */
export interface NostrEvent {
  /** 32 bytes, lowercase hex: SHA-256 of {@link nostrEventHashInput}. */
  readonly id: string;
  /** 32-byte x-only public key, lowercase hex. */
  readonly pubkey: string;
  /** Unix seconds, as the author's clock says. */
  readonly created_at: number;
  readonly kind: number;
  readonly tags: readonly (readonly string[])[];
  readonly content: string;
  /** 64-byte BIP-340 Schnorr signature of `id`, lowercase hex. */
  readonly sig: string;
}

/** A subscription filter (NIP-01 § From client to relay). Absent fields match everything. */
export interface NostrFilter {
  readonly ids?: readonly string[];
  readonly authors?: readonly string[];
  readonly kinds?: readonly number[];
  /** `#<letter>` filters, by letter: the event must carry a tag `[letter, v, …]` with v listed. */
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  readonly since?: number;
  readonly until?: number;
  /** Only for stored events, which this relay never has: read and ignored. */
  readonly limit?: number;
}

/** What a client sends (NIP-01): publish an event, open or replace a subscription, close one. */
export type NostrClientMessage =
  | { readonly type: 'EVENT'; readonly event: NostrEvent }
  | { readonly type: 'REQ'; readonly subId: string; readonly filters: readonly NostrFilter[] }
  | { readonly type: 'CLOSE'; readonly subId: string };

/** The machine-readable prefixes of `OK false`, `CLOSED` and `NOTICE` texts (NIP-01). */
export type NostrReasonPrefix =
  'duplicate' | 'pow' | 'blocked' | 'rate-limited' | 'invalid' | 'restricted' | 'mute' | 'error';

/** What a relay sends (NIP-01 § From relay to client). */
export type NostrRelayMessage =
  | readonly ['EVENT', string, NostrEvent]
  | readonly ['OK', string, boolean, string]
  | readonly ['EOSE', string]
  | readonly ['CLOSED', string, string]
  | readonly ['NOTICE', string];

/** NIP-01: subscription ids are non-empty strings of at most 64 characters. */
export const NOSTR_MAX_SUB_ID_LENGTH = 64;
/** Ephemeral kinds (NIP-01 § Kinds): relays are not expected to store them. */
export const NOSTR_EPHEMERAL_KINDS = { min: 20_000, max: 29_999 } as const;

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const TAG_FILTER = /^#[a-zA-Z]$/;
const MAX_KIND = 65_535;

/**
 * The exact text whose SHA-256 is an event's id: `[0,pubkey,created_at,kind,tags,content]`
 * serialized without whitespace. `JSON.stringify` escapes as NIP-01 asks (and as nostr-tools and
 * Trystero hash), so ids computed here match theirs byte for byte.
 */
export function nostrEventHashInput(event: NostrEvent): string {
  return JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content]);
}

/** A reason text with its NIP-01 prefix: `invalid: bad signature`. */
export function nostrReason(prefix: NostrReasonPrefix, text: string): string {
  return `${prefix}: ${text}`;
}

/** The first value of the event's first tag named `name` (`x` names a Trystero topic). */
export function nostrTagValue(event: NostrEvent, name: string): string | undefined {
  for (const tag of event.tags) if (tag[0] === name && tag.length > 1) return tag[1];
  return undefined;
}

/** Parses a NIP-01 event from untrusted input (shape only). */
export function parseNostrEvent(value: unknown): ParseResult<NostrEvent> {
  if (!isRecord(value)) return invalid('an event is a JSON object');
  const { id, pubkey, created_at, kind, tags, content, sig } = value;
  if (!isHex64(id)) return invalid('id must be 64 lowercase hex characters');
  if (!isHex64(pubkey)) return invalid('pubkey must be 64 lowercase hex characters');
  if (typeof sig !== 'string' || !HEX128.test(sig))
    return invalid('sig must be 128 lowercase hex characters');
  if (!isUnixSeconds(created_at)) return invalid('created_at must be a non-negative integer');
  if (!Number.isSafeInteger(kind) || (kind as number) < 0 || (kind as number) > MAX_KIND)
    return invalid(`kind must be an integer from 0 to ${MAX_KIND}`);
  if (typeof content !== 'string') return invalid('content must be a string');
  if (!Array.isArray(tags) || !tags.every(isTag))
    return invalid('tags must be an array of non-empty arrays of strings');
  return parsed({
    id,
    pubkey,
    created_at,
    kind: kind as number,
    tags: tags as string[][],
    content,
    sig,
  });
}

/** Parses one REQ filter from untrusted input. Unknown fields (NIP-50 `search`…) are ignored. */
export function parseNostrFilter(value: unknown): ParseResult<NostrFilter> {
  if (!isRecord(value)) return invalid('a filter is a JSON object');
  const filter: {
    ids?: string[];
    authors?: string[];
    kinds?: number[];
    tags?: Record<string, string[]>;
    since?: number;
    until?: number;
    limit?: number;
  } = {};
  for (const [key, field] of Object.entries(value)) {
    if (key === 'ids' || key === 'authors') {
      if (!Array.isArray(field) || !field.every(isHex64))
        return invalid(`${key} must be an array of 64 lowercase hex characters`);
      filter[key] = field;
    } else if (key === 'kinds') {
      if (
        !Array.isArray(field) ||
        !field.every((k) => Number.isSafeInteger(k) && k >= 0 && k <= MAX_KIND)
      )
        return invalid(`kinds must be an array of integers from 0 to ${MAX_KIND}`);
      filter.kinds = field as number[];
    } else if (key === 'since' || key === 'until' || key === 'limit') {
      if (!isUnixSeconds(field)) return invalid(`${key} must be a non-negative integer`);
      filter[key] = field;
    } else if (TAG_FILTER.test(key)) {
      if (!Array.isArray(field) || !field.every((v) => typeof v === 'string'))
        return invalid(`${key} must be an array of strings`);
      (filter.tags ??= {})[key.slice(1)] = field;
    }
  }
  return parsed(filter);
}

/** Parses one message a client sent to the relay, from a decoded JSON frame. */
export function parseNostrClientMessage(value: unknown): ParseResult<NostrClientMessage> {
  if (!Array.isArray(value) || typeof value[0] !== 'string')
    return invalid('a message is a JSON array starting with its type');
  const [type, ...rest] = value as [string, ...unknown[]];
  switch (type) {
    case 'EVENT': {
      if (rest.length !== 1) return invalid('EVENT carries one event');
      const event = parseNostrEvent(rest[0]);
      return event.ok ? parsed({ type, event: event.value }) : event;
    }
    case 'REQ': {
      const [subId, ...filters] = rest;
      if (!isSubId(subId)) return invalid(subIdRule);
      if (filters.length === 0) return invalid('REQ needs at least one filter');
      const parsedFilters: NostrFilter[] = [];
      for (const raw of filters) {
        const filter = parseNostrFilter(raw);
        if (!filter.ok) return filter;
        parsedFilters.push(filter.value);
      }
      return parsed({ type, subId, filters: parsedFilters });
    }
    case 'CLOSE': {
      const [subId] = rest;
      if (rest.length !== 1 || !isSubId(subId)) return invalid(subIdRule);
      return parsed({ type, subId });
    }
    default:
      return invalid(`unsupported message type ${JSON.stringify(type.slice(0, 16))}`);
  }
}

/**
 * What a refused message can still be answered on: the id of an EVENT (for `OK false`) or the
 * subscription id of a REQ (for `CLOSED`), read leniently from a message that failed to parse.
 * Anything else is answered with `NOTICE`.
 */
export function nostrRefusalTarget(
  value: unknown,
):
  | { readonly kind: 'OK'; readonly id: string }
  | { readonly kind: 'CLOSED'; readonly subId: string }
  | { readonly kind: 'NOTICE' } {
  if (Array.isArray(value)) {
    const [type, second] = value as unknown[];
    if (type === 'EVENT' && isRecord(second) && isHex64(second.id))
      return { kind: 'OK', id: second.id };
    if (type === 'REQ' && isSubId(second)) return { kind: 'CLOSED', subId: second };
  }
  return { kind: 'NOTICE' };
}

const subIdRule = `the subscription id must be a string of 1 to ${NOSTR_MAX_SUB_ID_LENGTH} characters`;

function isSubId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= NOSTR_MAX_SUB_ID_LENGTH;
}

function isHex64(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

function isUnixSeconds(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isTag(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}

function invalid(message: string): ParseResult<never> {
  return rejected('TOPIC_MESSAGE_INVALID', message);
}
