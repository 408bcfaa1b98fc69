import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// What `@sigmesh/client` posts in an inbox (inbox.ts): a caller (a guest) rings its owner, the
// owner answers, either side asks whether the other is there. Nodes never look inside. Every
// message is signed (ed25519) by its sender's lasting key over {@link inboxMessageTranscript},
// which names the addressee's key: a ring for Bob cannot be replayed into Carol's inbox, and
// nobody can ring as Alice without Alice's key. Receivers also check `at` against their clock and
// drop repeats (docs/client-protocol.md § Inbox messages).

/** Fields every inbox message has. */
interface Signed {
  readonly v: 1;
  /** The sender's raw ed25519 public key, base64url (43 characters). */
  readonly from: string;
  /** When it was signed, Unix ms. */
  readonly at: number;
  /** ed25519 signature by `from` over {@link inboxMessageTranscript}, base64url (86 characters). */
  readonly sig: string;
}

/** What a call asks for. */
export interface CallMedia {
  readonly video: boolean;
  readonly audio: boolean;
}

/**
 * A call: `call` names it (16 random bytes, hex); `eph` is the caller's ephemeral P-256 ECDH key
 * (raw, base64url, 87 characters), with which the callee's answer agrees on the call's secret.
 */
export interface RingMessage extends Signed {
  readonly kind: 'ring';
  readonly call: string;
  readonly eph: string;
  readonly media: CallMedia;
  /** The name the caller goes by, as it says (at most 64 characters). */
  readonly name?: string;
}

/** The callee takes the call; `eph` is its ephemeral ECDH key. */
export interface AcceptMessage extends Signed {
  readonly kind: 'accept';
  readonly call: string;
  readonly eph: string;
}

/** The callee refuses (`decline`), is in another call (`busy`), or takes only contacts' calls (`refused`). */
export interface DeclineMessage extends Signed {
  readonly kind: 'decline' | 'busy' | 'refused';
  readonly call: string;
}

/** The caller hung up before an answer (the callee records a missed call). */
export interface CancelMessage extends Signed {
  readonly kind: 'cancel';
  readonly call: string;
}

/** "Are you there?" — answered by a `pong` with the same nonce (16 random bytes, hex). */
export interface PingMessage extends Signed {
  readonly kind: 'ping';
  readonly nonce: string;
}

/** The answer to a `ping` or a `request` (same nonce); to a ping, the nodes the sender listens on. */
export interface PongMessage extends Signed {
  readonly kind: 'pong';
  readonly nonce: string;
  /** Node URLs where the sender's inbox listens (at most {@link MAX_PONG_NODES}). */
  readonly nodes?: readonly string[];
}

/** "Add me as a contact": a name and a short text, acknowledged by a `pong` with its nonce. */
export interface RequestMessage extends Signed {
  readonly kind: 'request';
  readonly nonce: string;
  readonly name?: string;
  readonly text?: string;
}

/** Every inbox message. */
export type InboxMessage =
  | RingMessage
  | AcceptMessage
  | DeclineMessage
  | CancelMessage
  | PingMessage
  | PongMessage
  | RequestMessage;

/** An inbox message before it is signed. */
export type UnsignedInboxMessage = InboxMessage extends infer M
  ? M extends InboxMessage
    ? Omit<M, 'sig'>
    : never
  : never;

/** The longest `name` a ring or request carries. */
export const MAX_CALLER_NAME_CHARS = 64;
/** The longest `text` of a contact request. */
export const MAX_REQUEST_TEXT_CHARS = 280;
/** Node URLs a pong lists at most, each at most 256 characters. */
export const MAX_PONG_NODES = 8;

/**
 * The exact text an inbox message's sender signs: the addressee's key, then the message's fields
 * (all but `sig`) in a fixed order.
 */
export function inboxMessageTranscript(message: UnsignedInboxMessage, to: string): string {
  const fields: unknown[] = [message.v, message.kind, message.from, to, message.at];
  if ('call' in message) fields.push(message.call);
  if ('nonce' in message) fields.push(message.nonce);
  if ('eph' in message) fields.push(message.eph);
  if ('media' in message) fields.push(message.media.video, message.media.audio);
  if (message.kind === 'ring' || message.kind === 'request') fields.push(message.name ?? null);
  if (message.kind === 'request') fields.push(message.text ?? null);
  if (message.kind === 'pong') fields.push(message.nodes ?? null);
  return `sigmesh-inbox-message:v1\n${JSON.stringify(fields)}`;
}

const HEX_ID = /^[0-9a-f]{32}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Parses an inbox message from untrusted input (shape only; the signature is the client's). */
export function parseInboxMessage(value: unknown): ParseResult<InboxMessage> {
  if (!isRecord(value) || value.v !== 1) return bad('not an inbox message');
  const { kind, from, at, sig } = value;
  if (!isB64(from, 43) || !isB64(sig, 86)) return bad('bad key or signature');
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) return bad('bad time');
  const base = { v: 1 as const, from, at, sig };
  switch (kind) {
    case 'ring': {
      const { call, eph, media, name } = value;
      if (!isHexId(call) || !isB64(eph, 87)) return bad('ring: bad call or key');
      if (!isRecord(media) || typeof media.video !== 'boolean' || typeof media.audio !== 'boolean')
        return bad('ring: bad media');
      if (!isOptionalText(name, MAX_CALLER_NAME_CHARS)) return bad('ring: bad name');
      const ring: RingMessage = {
        ...base,
        kind,
        call,
        eph,
        media: { video: media.video, audio: media.audio },
        ...(name === undefined ? {} : { name }),
      };
      return parsed(ring);
    }
    case 'accept': {
      const { call, eph } = value;
      if (!isHexId(call) || !isB64(eph, 87)) return bad('accept: bad call or key');
      return parsed({ ...base, kind, call, eph });
    }
    case 'decline':
    case 'busy':
    case 'refused':
    case 'cancel': {
      const { call } = value;
      if (!isHexId(call)) return bad(`${kind}: bad call`);
      return parsed({ ...base, kind, call });
    }
    case 'ping': {
      const { nonce } = value;
      if (!isHexId(nonce)) return bad('ping: bad nonce');
      return parsed({ ...base, kind, nonce });
    }
    case 'pong': {
      const { nonce, nodes } = value;
      if (!isHexId(nonce)) return bad('pong: bad nonce');
      if (nodes === undefined) return parsed({ ...base, kind, nonce });
      if (
        !Array.isArray(nodes) ||
        nodes.length > MAX_PONG_NODES ||
        !nodes.every(
          (url) => typeof url === 'string' && url.length <= 256 && /^https?:\/\//.test(url),
        )
      )
        return bad('pong: bad nodes');
      return parsed({ ...base, kind, nonce, nodes: nodes as string[] });
    }
    case 'request': {
      const { nonce, name, text } = value;
      if (!isHexId(nonce)) return bad('request: bad nonce');
      if (!isOptionalText(name, MAX_CALLER_NAME_CHARS)) return bad('request: bad name');
      if (!isOptionalText(text, MAX_REQUEST_TEXT_CHARS)) return bad('request: bad text');
      const request: RequestMessage = {
        ...base,
        kind,
        nonce,
        ...(name === undefined ? {} : { name }),
        ...(text === undefined ? {} : { text }),
      };
      return parsed(request);
    }
    default:
      return bad('unknown kind');
  }
}

function isOptionalText(value: unknown, max: number): value is string | undefined {
  return value === undefined || (typeof value === 'string' && value.length <= max);
}

function isHexId(value: unknown): value is string {
  return typeof value === 'string' && HEX_ID.test(value);
}

function isB64(value: unknown, length: number): value is string {
  return typeof value === 'string' && value.length === length && BASE64URL.test(value);
}

function bad<T>(message: string): ParseResult<T> {
  return rejected('BAD_REQUEST', `inbox message: ${message}`);
}
