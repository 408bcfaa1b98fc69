import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from './encoding.js';
import { bep44Limits } from './dht-messages.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// A missed-call note: when a call goes unanswered (the callee offline, say), the caller leaves
// a BEP 44 mutable item under its own lasting key, salted per callee, listing its last calls to
// that callee. The callee, back online, reads its contacts' notes (it knows their keys). Signed
// by the caller like any BEP 44 item, so nobody can leave one in another's name; readable by
// anyone who knows both keys (docs/security.md § Inboxes).

/** Calls a note keeps (the most recent). */
export const MAX_NOTED_CALLS = 8;

/** One unanswered call. */
export interface NotedCall {
  /** The call id (hex). */
  readonly call: string;
  /** When it rang, Unix ms (the caller's clock). */
  readonly at: number;
}

/** The value of a missed-call note. */
export interface MissedCallNote {
  readonly v: 1;
  /** The callee's lasting key (raw ed25519, base64url). */
  readonly to: string;
  /** The caller's name, as it says. */
  readonly name?: string;
  readonly calls: readonly NotedCall[];
}

/** The salt of a caller's note for callee `calleeKey` (raw 32 bytes): `sm-missed:` + 16 hashed bytes. */
export function missedNoteSalt(calleeKey: Uint8Array): Uint8Array {
  return utf8(`sm-missed:${toHex(sha256(calleeKey).subarray(0, 16))}`);
}

/** The note's bytes (JSON), at most a BEP 44 value's 996. */
export function encodeMissedCallNote(note: MissedCallNote): Uint8Array {
  const bytes = utf8(JSON.stringify(note));
  if (bytes.length > bep44Limits.maxValueBytes) throw new RangeError('note too large');
  return bytes;
}

/** Parses a note's bytes (from the DHT: anyone's). */
export function parseMissedCallNote(bytes: Uint8Array): ParseResult<MissedCallNote> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return rejected('BAD_REQUEST', 'a note is UTF-8 JSON');
  }
  if (!isRecord(value) || value.v !== 1 || typeof value.to !== 'string')
    return rejected('BAD_REQUEST', 'not a missed-call note');
  const { to, name, calls } = value;
  if (name !== undefined && (typeof name !== 'string' || name.length > 64))
    return rejected('BAD_REQUEST', 'bad name');
  if (!Array.isArray(calls) || calls.length > MAX_NOTED_CALLS)
    return rejected('BAD_REQUEST', 'bad calls');
  const noted: NotedCall[] = [];
  for (const entry of calls) {
    if (!isRecord(entry)) return rejected('BAD_REQUEST', 'bad call');
    const { call, at } = entry;
    if (typeof call !== 'string' || !/^[0-9a-f]{32}$/.test(call))
      return rejected('BAD_REQUEST', 'bad call id');
    if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0)
      return rejected('BAD_REQUEST', 'bad call time');
    noted.push({ call, at });
  }
  return parsed({ v: 1, to, ...(name === undefined ? {} : { name }), calls: noted });
}
