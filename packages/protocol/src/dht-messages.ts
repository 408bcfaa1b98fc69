import { sha1 } from '@noble/hashes/legacy.js';
import { fromBase64url, fromHex, toBase64url, toHex, utf8 } from './encoding.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// BEP 44 mutable items as the HTTP API carries them (`GET /dht-get`, `POST /dht-put`), and the
// signed node descriptor nodes publish in the DHT. Fixed-size keys and signatures travel as hex,
// variable byte strings (value, salt) as unpadded base64url. Values are byte strings: BEP 44 allows
// any bencoded value, but byte strings are what every client library can sign without a bencoder.

/** BEP 44 size limits. */
export const bep44Limits = {
  /** Largest raw value: a 996-byte string bencodes to 1000 bytes (`996:` + bytes), the BEP 44 cap. */
  maxValueBytes: 996,
  /** Longest salt (BEP 44). */
  maxSaltBytes: 64,
  publicKeyBytes: 32,
  signatureBytes: 64,
} as const;

/** A BEP 44 mutable item with its bytes decoded. `salt` is empty when the item has none. */
export interface DhtMutableItem {
  /** ed25519 public key, 32 bytes. */
  readonly k: Uint8Array;
  readonly salt: Uint8Array;
  readonly seq: number;
  /** The value, a byte string of at most 996 bytes. */
  readonly v: Uint8Array;
  /** ed25519 signature over {@link bep44Signable}, 64 bytes. */
  readonly sig: Uint8Array;
}

/** The JSON form of a mutable item: `k` and `sig` hex, `salt` and `v` base64url. */
export interface DhtItemJson {
  readonly k: string;
  readonly salt?: string;
  readonly seq: number;
  readonly v: string;
  readonly sig: string;
}

/** `GET /dht-get?k=HEX[&salt=BASE64URL]`, parsed. */
export interface DhtGetQuery {
  readonly k: Uint8Array;
  readonly salt: Uint8Array;
}

/** The body of `POST /dht-put`: a client-signed item, optionally with BEP 44 compare-and-swap. */
export interface DhtPutRequest extends DhtMutableItem {
  /** Only store when the current item has exactly this `seq` (BEP 44 `cas`). */
  readonly cas?: number;
}

/** A successful `GET /dht-get` answer: the newest verified item the DHT returned. */
export interface DhtGetResult extends DhtItemJson {
  /** The DHT key, hex `sha1(k ‖ salt)`. */
  readonly target: string;
}

/** A successful `POST /dht-put` answer. */
export interface DhtPutResult {
  readonly target: string;
  readonly seq: number;
  /** DHT nodes that stored the item; 0 when an identical item was already stored. */
  readonly stored: number;
}

/**
 * The bytes a BEP 44 mutable item's signature covers: the bencoded dictionary
 * `{salt, seq, v}` without its outer `d…e`, i.e. `4:salt<n>:<salt>3:seqi<seq>e1:v<n>:<v>`,
 * the salt part only when the salt is not empty (BEP 44 "Signature verification").
 */
export function bep44Signable(salt: Uint8Array, seq: number, v: Uint8Array): Uint8Array {
  const head = salt.length > 0 ? [utf8(`4:salt${salt.length}:`), salt] : [];
  const parts = [...head, utf8(`3:seqi${seq}e1:v${v.length}:`), v];
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The DHT key of a mutable item: `sha1(k ‖ salt)` (BEP 44). */
export function bep44Target(k: Uint8Array, salt: Uint8Array): Uint8Array {
  const joined = new Uint8Array(k.length + salt.length);
  joined.set(k);
  joined.set(salt, k.length);
  return sha1(joined);
}

/** The JSON form of an item. */
export function encodeDhtItem(item: DhtMutableItem): DhtItemJson {
  const base = { k: toHex(item.k), seq: item.seq, v: toBase64url(item.v), sig: toHex(item.sig) };
  return item.salt.length > 0 ? { ...base, salt: toBase64url(item.salt) } : base;
}

/** Parses `GET /dht-get` query parameters. */
export function parseDhtGetQuery(value: unknown): ParseResult<DhtGetQuery> {
  if (!isRecord(value)) return rejected('DHT_ITEM_INVALID', 'query must be an object');
  const k = parseKey(value.k);
  if (!k.ok) return k;
  const salt = parseSalt(value.salt);
  if (!salt.ok) return salt;
  return parsed({ k: k.value, salt: salt.value });
}

/** Parses a `POST /dht-put` body. Checks form and sizes only; the node verifies the signature. */
export function parseDhtPutRequest(value: unknown): ParseResult<DhtPutRequest> {
  const item = parseDhtItem(value);
  if (!item.ok || !isRecord(value) || value.cas === undefined) return item;
  if (!isSeq(value.cas)) return rejected('DHT_ITEM_INVALID', 'cas must be an integer ≥ 0');
  return parsed({ ...item.value, cas: value.cas });
}

/** Parses a JSON mutable item (`DhtItemJson`) into bytes, checking every BEP 44 size limit. */
export function parseDhtItem(value: unknown): ParseResult<DhtMutableItem> {
  if (!isRecord(value)) return rejected('DHT_ITEM_INVALID', 'item must be a JSON object');
  const k = parseKey(value.k);
  if (!k.ok) return k;
  const salt = parseSalt(value.salt);
  if (!salt.ok) return salt;
  if (!isSeq(value.seq)) return rejected('DHT_ITEM_INVALID', 'seq must be an integer ≥ 0');
  if (typeof value.v !== 'string')
    return rejected('DHT_ITEM_INVALID', 'v must be a base64url string');
  // Check the length before decoding so a huge string costs nothing: 996 bytes are 1328 characters.
  if (value.v.length > Math.ceil((bep44Limits.maxValueBytes * 4) / 3))
    return tooLarge(Math.floor((value.v.length * 3) / 4));
  const v = fromBase64url(value.v);
  if (v === undefined) return rejected('DHT_ITEM_INVALID', 'v must be unpadded base64url');
  if (v.length > bep44Limits.maxValueBytes) return tooLarge(v.length);
  const sig = typeof value.sig === 'string' ? fromHex(value.sig) : undefined;
  if (sig?.length !== bep44Limits.signatureBytes)
    return rejected('DHT_ITEM_INVALID', 'sig must be 64 bytes as 128 hex characters');
  return parsed({ k: k.value, salt: salt.value, seq: value.seq, v, sig });
}

/** Parses a `GET /dht-get` answer (clients call this on what a node returned). */
export function parseDhtGetResult(value: unknown): ParseResult<DhtGetResult> {
  const item = parseDhtItem(value);
  if (!item.ok) return item;
  if (
    !isRecord(value) ||
    typeof value.target !== 'string' ||
    !/^[0-9a-f]{40}$/.test(value.target)
  ) {
    return rejected('DHT_ITEM_INVALID', 'target must be 40 lowercase hex characters');
  }
  return parsed({ ...encodeDhtItem(item.value), target: value.target });
}

/** Parses a `POST /dht-put` answer. */
export function parseDhtPutResult(value: unknown): ParseResult<DhtPutResult> {
  if (
    !isRecord(value) ||
    typeof value.target !== 'string' ||
    !/^[0-9a-f]{40}$/.test(value.target)
  ) {
    return rejected('DHT_ITEM_INVALID', 'target must be 40 lowercase hex characters');
  }
  if (!isSeq(value.seq) || !isSeq(value.stored))
    return rejected('DHT_ITEM_INVALID', 'seq and stored must be integers ≥ 0');
  return parsed({ target: value.target, seq: value.seq, stored: value.stored });
}

/**
 * What a node publishes about itself as a BEP 44 mutable item (salt {@link descriptorSalt}) signed
 * with its ed25519 identity key. A hint for choosing nodes, never proof: the mesh handshake is.
 */
export interface NodeDescriptor {
  /** Format version of this record (1). */
  readonly v: 1;
  /** Node id: hex ed25519 public key, the same key that signed the item. */
  readonly id: string;
  /** Public base URL of the node's HTTP API. */
  readonly url: string;
  /** The port announced with BEP 5 (the node's HTTP port as reachable from outside). */
  readonly port: number;
  /** Current proof-of-work price (expected hashes). */
  readonly price: number;
  /** Software version. */
  readonly version: string;
  /** Publication time, Unix milliseconds. */
  readonly ts: number;
}

/** The BEP 44 salt under which a node publishes its descriptor. */
export const descriptorSalt = 'sigmesh:descriptor';

/** Encodes a descriptor as the UTF-8 JSON value of its BEP 44 item. */
export function encodeNodeDescriptor(descriptor: NodeDescriptor): Uint8Array {
  return utf8(JSON.stringify(descriptor));
}

/** Parses the value of a descriptor item (bytes from the DHT: untrusted). */
export function parseNodeDescriptor(bytes: Uint8Array): ParseResult<NodeDescriptor> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return rejected('DHT_ITEM_INVALID', 'descriptor is not UTF-8 JSON');
  }
  if (!isRecord(value) || value.v !== 1)
    return rejected('DHT_ITEM_INVALID', 'descriptor must be an object with v: 1');
  const { id, url, port, price, version, ts } = value;
  if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id))
    return rejected('DHT_ITEM_INVALID', 'descriptor id must be 64 lowercase hex characters');
  if (typeof url !== 'string' || !isHttpUrl(url))
    return rejected('DHT_ITEM_INVALID', 'descriptor url must be an http(s) URL');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    return rejected('DHT_ITEM_INVALID', 'descriptor port must be 1–65535');
  if (typeof price !== 'number' || !Number.isFinite(price) || price < 0)
    return rejected('DHT_ITEM_INVALID', 'descriptor price must be a number ≥ 0');
  if (typeof version !== 'string' || version.length > 64)
    return rejected('DHT_ITEM_INVALID', 'descriptor version must be a short string');
  if (!isSeq(ts)) return rejected('DHT_ITEM_INVALID', 'descriptor ts must be Unix milliseconds');
  return parsed({ v: 1, id, url, port, price, version, ts });
}

function isHttpUrl(text: string): boolean {
  if (text.length > 512) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseKey(value: unknown): ParseResult<Uint8Array> {
  const k = typeof value === 'string' ? fromHex(value) : undefined;
  if (k?.length !== bep44Limits.publicKeyBytes)
    return rejected(
      'DHT_ITEM_INVALID',
      'k must be a 32-byte ed25519 public key as 64 hex characters',
    );
  return parsed(k);
}

function parseSalt(value: unknown): ParseResult<Uint8Array> {
  if (value === undefined || value === '') return parsed(new Uint8Array(0));
  if (typeof value !== 'string')
    return rejected('DHT_ITEM_INVALID', 'salt must be a base64url string');
  if (value.length > Math.ceil((bep44Limits.maxSaltBytes * 4) / 3))
    return rejected('DHT_SALT_TOO_LARGE', `salt must be at most ${bep44Limits.maxSaltBytes} bytes`);
  const salt = fromBase64url(value);
  if (salt === undefined) return rejected('DHT_ITEM_INVALID', 'salt must be unpadded base64url');
  if (salt.length > bep44Limits.maxSaltBytes)
    return rejected('DHT_SALT_TOO_LARGE', `salt must be at most ${bep44Limits.maxSaltBytes} bytes`);
  return parsed(salt);
}

function tooLarge(bytes: number): ParseResult<never> {
  return rejected(
    'DHT_VALUE_TOO_LARGE',
    `v is ${bytes} bytes; at most ${bep44Limits.maxValueBytes} are allowed`,
  );
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
