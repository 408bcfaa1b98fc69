import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';
import { SEALED_FORMAT, SEALED_MIN_BYTES } from './sealed-box.js';

// What `@sigmesh/client` puts in the `data` of a room post, and what peers send each other on
// their own data channel. Nodes never look inside; docs/client-protocol.md shows each with an
// example. Every parser takes untrusted input (another member wrote it) and bounds every field.

/** A client's identity in a room, the same on every node it joins: hex(SHA-256(public key))[0:32]. */
export type ClientId = string & { readonly __clientId: unique symbol };

const CLIENT_ID = /^[0-9a-f]{32}$/;
const NODE_ID = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function isClientId(value: unknown): value is ClientId {
  return typeof value === 'string' && CLIENT_ID.test(value);
}

/** Upper bounds on what a client accepts from another member. */
export const clientSignalLimits = {
  /** Characters of SDP in one offer or answer. */
  maxSdpChars: 64 * 1024,
  /** Characters of one ICE candidate line. */
  maxCandidateChars: 1024,
  /** Signals batched in one payload or frame. */
  maxSignalsPerBatch: 64,
  /** Fragments one payload may be split into. */
  maxFragments: 128,
  /** Characters of one fragment's part. */
  maxFragmentChars: 64 * 1024,
  /** Characters of a sealed box (base64url). */
  maxSealedChars: 128 * 1024,
} as const;

/** simple-peer's description signal. */
export interface DescriptionSignal {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
}

/** simple-peer's candidate signal; `candidate: null` marks the end of candidates. */
export interface CandidateSignal {
  readonly type: 'candidate';
  readonly candidate: {
    readonly candidate: string;
    readonly sdpMid: string | null;
    readonly sdpMLineIndex: number | null;
  } | null;
}

/** One WebRTC signal, in simple-peer's shapes. */
export type PeerSignal = DescriptionSignal | CandidateSignal;

/**
 * Proves that the room member posting it (the node stamps `from`) is the client `id`: `sig` is
 * by `key` over {@link helloTranscript} — ECDSA P-256/SHA-256 (IEEE P1363 r ‖ s) for a key made
 * for the join, Ed25519 (RFC 8032) for a lasting identity. `reply` asks for no hello back.
 */
export interface HelloPayload {
  readonly v: 1;
  readonly kind: 'hello';
  readonly id: ClientId;
  /**
   * The public key, base64url: a raw uncompressed P-256 point (65 bytes, 87 characters) or a raw
   * Ed25519 key (32 bytes, 43 characters). Its length says which.
   */
  readonly key: string;
  /** The node the sender joined through (its id), signed so it cannot be moved. */
  readonly node: string;
  readonly sig: string;
  readonly reply: boolean;
}

/** WebRTC signals from client `id`, addressed (node-level `to`) to one of the peer's members. */
export interface SignalPayload {
  readonly v: 1;
  readonly kind: 'signal';
  readonly id: ClientId;
  readonly signals: readonly PeerSignal[];
}

/** One part of a payload too large for one post (`maxMessageBytes`, default 1 KiB). */
export interface FragmentPayload {
  readonly v: 1;
  readonly kind: 'fragment';
  /** 8 hex characters, random per split payload. */
  readonly frag: string;
  readonly index: number;
  readonly count: number;
  readonly part: string;
}

/**
 * A payload encrypted with the room password, format 2: base64url(sentAt 8 ‖ IV 12 ‖ AES-GCM
 * ciphertext ‖ tag 16), laid out in `sealed-box.ts`. Its `v` is the sealed format, not 1.
 */
export interface SealedPayload {
  readonly v: typeof SEALED_FORMAT;
  readonly kind: 'sealed';
  readonly box: string;
}

/** Every `data` the client library posts to a room. */
export type RoomPayload = HelloPayload | SignalPayload | FragmentPayload | SealedPayload;

/** Base64url characters of a hello's key, by algorithm: the length alone tells them apart. */
export const helloKeyChars = { 'P-256': 87, Ed25519: 43 } as const;

/** The algorithm of a hello's `key`, from its length; undefined for any other length. */
export function helloKeyAlgorithm(key: string): keyof typeof helloKeyChars | undefined {
  if (key.length === helloKeyChars['P-256']) return 'P-256';
  if (key.length === helloKeyChars.Ed25519) return 'Ed25519';
  return undefined;
}

/** The exact bytes a hello signs: binds the key to the room, the member id and the node. */
export function helloTranscript(room: string, memberId: string, nodeId: string): string {
  return `sigmesh-hello:v1\n${room}\n${memberId}\n${nodeId}`;
}

/** Parses a room payload written by another member. */
export function parseRoomPayload(value: unknown): ParseResult<RoomPayload> {
  if (isRecord(value) && value.kind === 'sealed') return parseSealed(value);
  if (!isRecord(value) || value.v !== 1) return bad('not a sigmesh client payload');
  switch (value.kind) {
    case 'hello': {
      const { id, key, node, sig, reply } = value;
      if (!isClientId(id)) return bad('hello: bad id');
      if (!isB64(key, 0, helloKeyChars['P-256']) || helloKeyAlgorithm(key) === undefined)
        return bad('hello: bad key');
      if (typeof node !== 'string' || !NODE_ID.test(node)) return bad('hello: bad node');
      // 64 bytes for both: ECDSA P-256's r ‖ s and Ed25519's R ‖ S.
      if (!isB64(sig, 86, 86)) return bad('hello: bad signature');
      if (typeof reply !== 'boolean') return bad('hello: bad reply flag');
      return parsed({ v: 1, kind: 'hello', id, key, node, sig, reply });
    }
    case 'signal': {
      if (!isClientId(value.id)) return bad('signal: bad id');
      const signals = parseSignals(value.signals);
      if (!signals.ok) return signals;
      return parsed({ v: 1, kind: 'signal', id: value.id, signals: signals.value });
    }
    case 'fragment': {
      const { frag, index, count, part } = value;
      if (typeof frag !== 'string' || !/^[0-9a-f]{8}$/.test(frag)) return bad('fragment: bad id');
      if (!isIndex(count, clientSignalLimits.maxFragments + 1) || count < 2)
        return bad('fragment: bad count');
      if (!isIndex(index, count)) return bad('fragment: bad index');
      if (typeof part !== 'string' || part.length > clientSignalLimits.maxFragmentChars)
        return bad('fragment: bad part');
      return parsed({ v: 1, kind: 'fragment', frag, index, count, part });
    }
    default:
      return bad('unknown payload kind');
  }
}

/** Base64url characters of the shortest sealed box. */
const MIN_BOX_CHARS = Math.ceil((SEALED_MIN_BYTES * 4) / 3);

/**
 * A sealed payload. Format 1 had no send time, so a copy posted under a new message id opened
 * again: it is refused as `SIGNAL_UNAUTHENTIC` (the sender runs an older client), never opened.
 */
function parseSealed(value: Record<string, unknown>): ParseResult<SealedPayload> {
  if (value.v === 1)
    return rejected(
      'SIGNAL_UNAUTHENTIC',
      'it seals with format 1 (no send time, replayable), which this client refuses: it runs an older client',
    );
  if (value.v !== SEALED_FORMAT) return bad('sealed: unknown format');
  if (!isB64(value.box, MIN_BOX_CHARS, clientSignalLimits.maxSealedChars))
    return bad('sealed: bad box');
  return parsed({ v: SEALED_FORMAT, kind: 'sealed', box: value.box });
}

/** Parses a batch of signals (a room payload's or a data-channel frame's). */
export function parseSignals(value: unknown): ParseResult<readonly PeerSignal[]> {
  if (!Array.isArray(value) || value.length === 0) return bad('signals must be a non-empty array');
  if (value.length > clientSignalLimits.maxSignalsPerBatch) return bad('too many signals');
  const signals: PeerSignal[] = [];
  for (const item of value) {
    const signal = parsePeerSignal(item);
    if (!signal.ok) return signal;
    signals.push(signal.value);
  }
  return parsed(signals);
}

/** Parses one simple-peer-shaped signal. */
export function parsePeerSignal(value: unknown): ParseResult<PeerSignal> {
  if (!isRecord(value)) return bad('a signal must be an object');
  if (value.type === 'offer' || value.type === 'answer') {
    if (typeof value.sdp !== 'string' || value.sdp.length > clientSignalLimits.maxSdpChars)
      return bad('bad sdp');
    return parsed({ type: value.type, sdp: value.sdp });
  }
  if (value.type !== 'candidate') return bad('unknown signal type');
  if (value.candidate === null) return parsed({ type: 'candidate', candidate: null });
  if (!isRecord(value.candidate)) return bad('bad candidate');
  const { candidate, sdpMid, sdpMLineIndex } = value.candidate;
  if (typeof candidate !== 'string' || candidate.length > clientSignalLimits.maxCandidateChars)
    return bad('bad candidate line');
  if (sdpMid !== null && sdpMid !== undefined && (typeof sdpMid !== 'string' || sdpMid.length > 64))
    return bad('bad sdpMid');
  if (sdpMLineIndex !== null && sdpMLineIndex !== undefined && !isIndex(sdpMLineIndex, 1024))
    return bad('bad sdpMLineIndex');
  return parsed({
    type: 'candidate',
    candidate: { candidate, sdpMid: sdpMid ?? null, sdpMLineIndex: sdpMLineIndex ?? null },
  });
}

function isB64(value: unknown, min: number, max: number): value is string {
  return (
    typeof value === 'string' && value.length >= min && value.length <= max && BASE64URL.test(value)
  );
}

function isIndex(value: unknown, below: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < below;
}

function bad<T>(message: string): ParseResult<T> {
  return rejected('BAD_REQUEST', message);
}
