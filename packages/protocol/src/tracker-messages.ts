// The WebTorrent WebSocket tracker protocol (no BEP; bittorrent-tracker 11 is the reference,
// aquatic_ws the strict server): one JSON object per WebSocket message. Requests are parsed as
// liberally as bittorrent-tracker accepts them; replies are built in aquatic's strict shapes
// (every message carries `action` and `info_hash`, signals are `{ type, sdp }`).
import type { ErrorCode } from './error-catalog.js';
import { isRecord } from './parse-result.js';

/**
 * A 20-byte tracker field (`info_hash`, `peer_id`, `to_peer_id`, `offer_id`) as the wire carries
 * it: a string of exactly 20 UTF-16 units, each 0–255 and standing for one byte. bittorrent-tracker
 * truncates larger units silently; aquatic refuses them, and so do we, for every field.
 */
export type TrackerId = string & { readonly __brand: 'TrackerId' };

/** What a client announces about its download (BEP 3 events; `paused` is bittorrent-tracker's). */
export type TrackerEvent = 'started' | 'stopped' | 'completed' | 'update' | 'paused';

/** One WebRTC offer an announce carries, to be relayed to one other peer of the swarm. */
export interface TrackerOffer {
  readonly offerId: TrackerId;
  /** Opaque: simple-peer's SDP, or Trystero's AES-GCM ciphertext. Never read, only relayed. */
  readonly sdp: string;
}

/** The answer part of an announce: relayed to `toPeerId`, which sent offer `offerId`. */
export interface TrackerAnswer {
  readonly toPeerId: TrackerId;
  readonly offerId: TrackerId;
  readonly sdp: string;
}

/** `{"action":"announce",…}` from a client. */
export interface TrackerAnnounce {
  readonly action: 'announce';
  readonly infoHash: TrackerId;
  readonly peerId: TrackerId;
  /** A missing or empty `event` is an `update` (Trystero never sends one). */
  readonly event: TrackerEvent;
  /** Bytes left; undefined when absent or not a number (then the peer is not a seeder). */
  readonly left: number | undefined;
  /** At most the `maxOffers` first offers of the message (the rest are not relayed). */
  readonly offers: readonly TrackerOffer[];
  /** Offers beyond `maxOffers`, ignored. */
  readonly offersIgnored: number;
  readonly answer: TrackerAnswer | undefined;
}

/** `{"action":"scrape","info_hash":…}` from a client: one hash or a list (no full scrape). */
export interface TrackerScrape {
  readonly action: 'scrape';
  readonly infoHashes: readonly TrackerId[];
}

/** A client request, parsed. */
export type TrackerRequest = TrackerAnnounce | TrackerScrape;

/** A request that could not be parsed: the code, and what a refusal should echo. */
export interface TrackerParseFailure {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  /** The action to answer with (`announce` unless the request said `scrape`). */
  readonly action: 'announce' | 'scrape';
  /** The request's `info_hash` when it was a 20-byte field, so WebTorrent reads the refusal. */
  readonly infoHash: TrackerId | undefined;
}

/** The outcome of {@link parseTrackerRequest}. */
export type TrackerParseResult =
  { readonly ok: true; readonly value: TrackerRequest } | TrackerParseFailure;

/** Offers relayed per announce by default (aquatic's `max_offers`). */
export const TRACKER_MAX_OFFERS = 10;
/** Info hashes one scrape may name. */
export const TRACKER_MAX_SCRAPE_HASHES = 64;

const EVENTS: ReadonlySet<string> = new Set([
  'started',
  'stopped',
  'completed',
  'update',
  'paused',
]);

/** True for a string of exactly 20 UTF-16 units, each 0–255 (one byte each). */
export function isTrackerId(value: unknown): value is TrackerId {
  if (typeof value !== 'string' || value.length !== 20) return false;
  for (let i = 0; i < 20; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

const HEX = '0123456789abcdef';

/** The 20 bytes of a tracker field as 40 lowercase hex characters. */
export function trackerIdToHex(id: TrackerId): string {
  let out = '';
  for (let i = 0; i < 20; i++) {
    const byte = id.charCodeAt(i);
    out += HEX[byte >> 4]! + HEX[byte & 15]!;
  }
  return out;
}

/** The tracker field for 40 hex characters; undefined for anything else. */
export function trackerIdFromHex(hex: string): TrackerId | undefined {
  if (!/^[0-9a-f]{40}$/.test(hex)) return undefined;
  let out = '';
  for (let i = 0; i < 40; i += 2) out += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return out as TrackerId;
}

/**
 * Parses one tracker message (already JSON-decoded) from an untrusted client. Liberal where
 * bittorrent-tracker is (missing `event`, `left`, `numwant`; unknown fields; `left` as a numeric
 * string), strict where aquatic is (every 20-byte field exact, `offer_id` included; offers and
 * answers `{ type, sdp }` with the right type). Only the first `maxOffers` offers are checked and
 * kept. A scrape must name its hashes: a full scrape is refused.
 */
export function parseTrackerRequest(
  value: unknown,
  maxOffers: number = TRACKER_MAX_OFFERS,
): TrackerParseResult {
  if (!isRecord(value)) return fail('announce', undefined, 'a tracker message is a JSON object');
  const action = value.action;
  const infoHash = isTrackerId(value.info_hash) ? value.info_hash : undefined;
  if (action === 'scrape') return parseScrape(value.info_hash);
  if (action !== 'announce') return fail('announce', infoHash, 'action must be announce or scrape');
  if (infoHash === undefined) return fail('announce', undefined, 'info_hash must be 20 bytes');
  const peerId = value.peer_id;
  if (!isTrackerId(peerId)) return fail('announce', infoHash, 'peer_id must be 20 bytes');
  const event = parseEvent(value.event);
  if (event === undefined) return fail('announce', infoHash, 'unknown event');
  const offers: TrackerOffer[] = [];
  let offersIgnored = 0;
  if (value.offers !== undefined && value.offers !== null) {
    if (!Array.isArray(value.offers)) return fail('announce', infoHash, 'offers must be a list');
    const list: unknown[] = value.offers;
    for (let i = 0; i < list.length && offers.length < maxOffers; i++) {
      const offer = parseOffer(list[i]);
      if (typeof offer === 'string') return fail('announce', infoHash, `offer ${i}: ${offer}`);
      offers.push(offer);
    }
    offersIgnored = list.length - offers.length;
  }
  let answer: TrackerAnswer | undefined;
  if (value.answer !== undefined && value.answer !== null) {
    const sdp = signalSdp(value.answer, 'answer');
    if (sdp === undefined)
      return fail('announce', infoHash, 'answer must be { type: "answer", sdp }');
    if (!isTrackerId(value.to_peer_id))
      return fail('announce', infoHash, 'to_peer_id must be 20 bytes');
    if (!isTrackerId(value.offer_id))
      return fail('announce', infoHash, 'offer_id must be 20 bytes');
    answer = { toPeerId: value.to_peer_id, offerId: value.offer_id, sdp };
  }
  return {
    ok: true,
    value: {
      action: 'announce',
      infoHash,
      peerId,
      event,
      left: parseLeft(value.left),
      offers,
      offersIgnored,
      answer,
    },
  };
}

function parseScrape(hashes: unknown): TrackerParseResult {
  const list = Array.isArray(hashes) ? (hashes as unknown[]) : hashes === undefined ? [] : [hashes];
  const echo = isTrackerId(hashes) ? hashes : undefined;
  if (list.length === 0)
    return fail('scrape', undefined, 'a scrape names its info hashes', 'TRACKER_SCRAPE_REFUSED');
  if (list.length > TRACKER_MAX_SCRAPE_HASHES)
    return fail(
      'scrape',
      undefined,
      `a scrape names at most ${TRACKER_MAX_SCRAPE_HASHES} info hashes`,
      'TRACKER_SCRAPE_REFUSED',
    );
  if (!list.every(isTrackerId)) return fail('scrape', echo, 'info_hash must be 20 bytes');
  return { ok: true, value: { action: 'scrape', infoHashes: list } };
}

function parseEvent(event: unknown): TrackerEvent | undefined {
  if (event === undefined || event === null || event === '' || event === 'empty') return 'update';
  return typeof event === 'string' && EVENTS.has(event) ? (event as TrackerEvent) : undefined;
}

function parseLeft(left: unknown): number | undefined {
  const value = typeof left === 'string' && left.trim() !== '' ? Number(left) : left;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function parseOffer(offer: unknown): TrackerOffer | string {
  if (!isRecord(offer)) return 'an offer is { offer_id, offer }';
  if (!isTrackerId(offer.offer_id)) return 'offer_id must be 20 bytes';
  const sdp = signalSdp(offer.offer, 'offer');
  return sdp === undefined
    ? 'offer must be { type: "offer", sdp }'
    : { offerId: offer.offer_id, sdp };
}

function signalSdp(signal: unknown, type: 'offer' | 'answer'): string | undefined {
  return isRecord(signal) && signal.type === type && typeof signal.sdp === 'string'
    ? signal.sdp
    : undefined;
}

function fail(
  action: 'announce' | 'scrape',
  infoHash: TrackerId | undefined,
  message: string,
  code: ErrorCode = 'TRACKER_REQUEST_INVALID',
): TrackerParseFailure {
  return { ok: false, code, message, action, infoHash };
}

// ── Server → client ──────────────────────────────────────────────────────────────────────────

/** The reply to an announce: swarm counts and when to announce again (seconds). */
export interface TrackerAnnounceReply {
  readonly action: 'announce';
  readonly info_hash: TrackerId;
  readonly complete: number;
  readonly incomplete: number;
  readonly interval: number;
}

/** An offer relayed to a peer: `peer_id` is the offerer's. */
export interface TrackerOfferMessage {
  readonly action: 'announce';
  readonly info_hash: TrackerId;
  readonly peer_id: TrackerId;
  readonly offer_id: TrackerId;
  readonly offer: { readonly type: 'offer'; readonly sdp: string };
}

/** An answer relayed to the offerer: `peer_id` is the answerer's. */
export interface TrackerAnswerMessage {
  readonly action: 'announce';
  readonly info_hash: TrackerId;
  readonly peer_id: TrackerId;
  readonly offer_id: TrackerId;
  readonly answer: { readonly type: 'answer'; readonly sdp: string };
}

/** Counts of one swarm in a scrape reply (`downloaded` is not tracked: always 0, as in aquatic). */
export interface TrackerScrapeFile {
  readonly complete: number;
  readonly incomplete: number;
  readonly downloaded: number;
}

/** The reply to a scrape, keyed by the binary info hash. */
export interface TrackerScrapeReply {
  readonly action: 'scrape';
  readonly files: Readonly<Record<string, TrackerScrapeFile>>;
}

/**
 * A refusal. WebTorrent drops any message without `action` (it treats it as a socket error and
 * reconnects after minutes) and ignores one whose `info_hash` is not its own before reading
 * `failure reason`, so both are always present. `code` is sigmesh's stable error code (clients
 * ignore unknown fields).
 */
export interface TrackerFailure {
  readonly action: 'announce' | 'scrape';
  readonly info_hash: string;
  readonly 'failure reason': string;
  readonly code: ErrorCode;
}

/** Every message a tracker sends. */
export type TrackerServerMessage =
  | TrackerAnnounceReply
  | TrackerOfferMessage
  | TrackerAnswerMessage
  | TrackerScrapeReply
  | TrackerFailure;

/** A refusal message for `code`. */
export function trackerFailure(
  action: 'announce' | 'scrape',
  infoHash: TrackerId | undefined,
  code: ErrorCode,
  message: string,
): TrackerFailure {
  return { action, info_hash: infoHash ?? '', 'failure reason': message, code };
}
