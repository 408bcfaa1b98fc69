import type { ClientId, Room } from '@sigmesh/client';

/**
 * The demo's own messages, sent as JSON with `room.send`. File bytes travel separately as binary
 * chunks (file-chunk.ts). Peers are not trusted: every message is parsed by
 * {@link parseAppMessage}, and anything malformed is dropped.
 */
export type AppMessage =
  /** Sent to each peer when its data channel opens: the display name to show. */
  | { readonly type: 'hello'; readonly name: string }
  | { readonly type: 'chat'; readonly text: string }
  /** A file follows as binary chunks tagged with `transfer` (a number the sender picks). */
  | {
      readonly type: 'file-start';
      readonly transfer: number;
      readonly name: string;
      readonly size: number;
      readonly mime: string;
    }
  /** Every chunk was sent; `sha256` (hex) is the digest of the whole file. */
  | { readonly type: 'file-end'; readonly transfer: number; readonly sha256: string }
  /** The sender gave up on its transfer. */
  | { readonly type: 'file-cancel'; readonly transfer: number; readonly reason: string }
  /** The receiver refused or aborted the sender's transfer: stop sending it. */
  | { readonly type: 'file-reject'; readonly transfer: number; readonly reason: string }
  /** The receiver got every byte and the digest matched. */
  | { readonly type: 'file-received'; readonly transfer: number }
  | { readonly type: 'call-invite'; readonly call: string }
  | { readonly type: 'call-accept'; readonly call: string }
  | { readonly type: 'call-decline'; readonly call: string; readonly reason: string }
  /** Hang up: stop sending media and drop the other side's video. */
  | { readonly type: 'call-end'; readonly call: string }
  /** The sender stopped sharing its screen (stream id, the same on both ends). */
  | { readonly type: 'screen-end'; readonly stream: string };

export type AppMessageType = AppMessage['type'];

export const MAX_NAME_LENGTH = 40;
export const MAX_CHAT_LENGTH = 4000;
export const MAX_FILE_NAME_LENGTH = 255;
const MAX_MIME_LENGTH = 127;
const MAX_ID_LENGTH = 64;
const MAX_REASON_LENGTH = 200;

type Fields = Readonly<Record<string, unknown>>;
type Parser = (fields: Fields) => AppMessage | undefined;

const parsers = {
  hello: (m) => {
    const name = text(m.name, MAX_NAME_LENGTH);
    return name === undefined ? undefined : { type: 'hello', name };
  },
  chat: (m) => {
    const body = text(m.text, MAX_CHAT_LENGTH, true);
    return body === undefined ? undefined : { type: 'chat', text: body };
  },
  'file-start': (m) => {
    const transfer = transferNumber(m.transfer);
    const name = text(m.name, MAX_FILE_NAME_LENGTH);
    const mime = typeof m.mime === 'string' && m.mime.length <= MAX_MIME_LENGTH ? m.mime : '';
    const size = m.size;
    if (transfer === undefined || name === undefined) return undefined;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
    return { type: 'file-start', transfer, name, size, mime };
  },
  'file-end': (m) => {
    const transfer = transferNumber(m.transfer);
    const sha256 = typeof m.sha256 === 'string' && /^[0-9a-f]{64}$/.test(m.sha256) ? m.sha256 : '';
    return transfer === undefined || sha256 === ''
      ? undefined
      : { type: 'file-end', transfer, sha256 };
  },
  'file-cancel': (m) => {
    const transfer = transferNumber(m.transfer);
    return transfer === undefined
      ? undefined
      : { type: 'file-cancel', transfer, reason: reason(m.reason) };
  },
  'file-reject': (m) => {
    const transfer = transferNumber(m.transfer);
    return transfer === undefined
      ? undefined
      : { type: 'file-reject', transfer, reason: reason(m.reason) };
  },
  'file-received': (m) => {
    const transfer = transferNumber(m.transfer);
    return transfer === undefined ? undefined : { type: 'file-received', transfer };
  },
  'call-invite': (m) => withId(m.call, (call) => ({ type: 'call-invite', call })),
  'call-accept': (m) => withId(m.call, (call) => ({ type: 'call-accept', call })),
  'call-decline': (m) =>
    withId(m.call, (call) => ({ type: 'call-decline', call, reason: reason(m.reason) })),
  'call-end': (m) => withId(m.call, (call) => ({ type: 'call-end', call })),
  'screen-end': (m) => withId(m.stream, (stream) => ({ type: 'screen-end', stream })),
} satisfies Record<AppMessageType, Parser>;

/** Parses a message a peer sent; undefined when it is not one of ours or is malformed. */
export function parseAppMessage(data: unknown): AppMessage | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const fields = data as Fields;
  const type = fields.type;
  if (typeof type !== 'string' || !Object.hasOwn(parsers, type)) return undefined;
  return parsers[type as AppMessageType](fields);
}

/** A trimmed, non-empty string of at most `max` characters (chat keeps its inner layout). */
function text(value: unknown, max: number, keepSpaces = false): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = keepSpaces ? value : value.trim();
  if (trimmed.trim() === '' || trimmed.length > max) return undefined;
  return trimmed;
}

function transferNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff
    ? value
    : undefined;
}

function reason(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_REASON_LENGTH) : '';
}

function withId(value: unknown, make: (id: string) => AppMessage): AppMessage | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH
    ? make(value)
    : undefined;
}

/** Sends one of our messages to a peer, or to every open peer. */
export function sendAppMessage(
  room: Pick<Room, 'send'>,
  message: AppMessage,
  peerId?: ClientId,
): Promise<void> {
  return room.send(message, peerId);
}
