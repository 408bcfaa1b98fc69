import { clientSignalLimits, type FragmentPayload } from '@sigmesh/protocol';

/** Room-post bytes besides the payload: `{"data":` … `,"to":"<32 hex>"}` and slack. */
const POST_OVERHEAD = 64;
/** A fragment payload's bytes besides its part (field names, ids, counts, quotes). */
const FRAGMENT_OVERHEAD = 96;

/** Bytes `text` takes inside a JSON string literal, as UTF-8 (an upper bound). */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (const char of text) bytes += charBytes(char);
  return bytes;
}

function charBytes(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (char === '"' || char === '\\') return 2;
  if (code < 0x20) return 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  return code < 0x10000 ? 3 : 4;
}

/**
 * Splits a payload's JSON text into fragment payloads that each fit in a room post of
 * `maxMessageBytes`, never cutting a character in two. Returns the payload as is when it fits.
 */
export function splitPayload(
  json: string,
  maxMessageBytes: number,
  random: () => string = randomFragmentId,
): readonly unknown[] | undefined {
  const whole: unknown = JSON.parse(json);
  if (new TextEncoder().encode(json).length + POST_OVERHEAD <= maxMessageBytes) return [whole];
  const budget = maxMessageBytes - POST_OVERHEAD - FRAGMENT_OVERHEAD;
  if (budget < 16) return undefined;
  const parts: string[] = [];
  let part = '';
  let used = 2;
  for (const char of json) {
    const cost = charBytes(char);
    if (used + cost > budget) {
      parts.push(part);
      part = '';
      used = 2;
    }
    part += char;
    used += cost;
  }
  parts.push(part);
  if (parts.length > clientSignalLimits.maxFragments) return undefined;
  const frag = random();
  return parts.map((text, index): FragmentPayload => ({
    v: 1,
    kind: 'fragment',
    frag,
    index,
    count: parts.length,
    part: text,
  }));
}

function randomFragmentId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

interface Partial {
  readonly sender: string;
  readonly parts: Array<string | undefined>;
  received: number;
  chars: number;
  readonly expires: number;
}

export interface FragmentAssemblerOptions {
  /** Payloads one sender may have in progress; a new one drops its oldest. Default 8. */
  readonly maxPerSender?: number;
  /** Senders with payloads in progress; a new one drops the oldest payload's sender. Default 64. */
  readonly maxSenders?: number;
  /** Characters buffered in all; over it, the oldest payloads are dropped. Default 2 Mi. */
  readonly maxBufferedChars?: number;
  /** A payload not complete this long after its first part is dropped. Default 30 s. */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/** Defaults of {@link FragmentAssemblerOptions}. */
export const fragmentDefaults = {
  maxPerSender: 8,
  maxSenders: 64,
  maxBufferedChars: 2 * 1024 * 1024,
  ttlMs: 30_000,
} as const;

/**
 * Reassembles fragments per sender and addressee. Bounded whatever members send or invent: at
 * most `maxPerSender` payloads in progress per sender, `maxSenders` senders and
 * `maxBufferedChars` characters in all (the oldest payloads go first), each payload within the
 * protocol limits and dropped `ttlMs` after its first part — on any input, or on
 * {@link FragmentAssembler.sweep}, whether or not its sender speaks again.
 */
export class FragmentAssembler {
  /** Payloads in progress by `sender \n to \n frag`, oldest first (so also by expiry). */
  readonly #partials = new Map<string, Partial>();
  /** Each sender's payloads in progress, oldest first. */
  readonly #senders = new Map<string, Set<string>>();
  #chars = 0;
  readonly #maxPerSender: number;
  readonly #maxSenders: number;
  readonly #maxChars: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: FragmentAssemblerOptions = {}) {
    this.#maxPerSender = options.maxPerSender ?? fragmentDefaults.maxPerSender;
    this.#maxSenders = options.maxSenders ?? fragmentDefaults.maxSenders;
    this.#maxChars = options.maxBufferedChars ?? fragmentDefaults.maxBufferedChars;
    this.#ttlMs = options.ttlMs ?? fragmentDefaults.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Adds a fragment `sender` addressed `to` (a member id, or `*` for a broadcast); returns the
   * whole JSON text once the last part is in.
   */
  add(sender: string, fragment: FragmentPayload, to = '*'): string | undefined {
    const now = this.#now();
    this.sweep(now);
    const key = `${sender}\n${to}\n${fragment.frag}`;
    let partial = this.#partials.get(key);
    if (partial === undefined) {
      const mine = this.#senders.get(sender);
      if (mine !== undefined && mine.size >= this.#maxPerSender) this.#drop(first(mine));
      else if (mine === undefined && this.#senders.size >= this.#maxSenders)
        this.#dropSender(this.#partials.values().next().value?.sender);
      partial = {
        sender,
        parts: new Array<string | undefined>(fragment.count).fill(undefined),
        received: 0,
        chars: 0,
        expires: now + this.#ttlMs,
      };
      this.#partials.set(key, partial);
      const set = this.#senders.get(sender) ?? new Set<string>();
      this.#senders.set(sender, set.add(key));
    }
    if (partial.parts.length !== fragment.count || partial.parts[fragment.index] !== undefined)
      return undefined;
    partial.parts[fragment.index] = fragment.part;
    partial.received++;
    partial.chars += fragment.part.length;
    this.#chars += fragment.part.length;
    if (partial.chars > clientSignalLimits.maxSealedChars * 2) {
      this.#drop(key);
      return undefined;
    }
    if (partial.received === fragment.count) {
      this.#drop(key);
      return partial.parts.join('');
    }
    while (this.#chars > this.#maxChars) {
      const oldest = first(this.#partials);
      this.#drop(oldest);
      if (oldest === key) return undefined;
    }
    return undefined;
  }

  /** Drops the payloads whose time ran out (also done on every {@link add}). */
  sweep(now = this.#now()): void {
    for (const [key, partial] of this.#partials) {
      // Oldest first: the first one still in time ends the sweep (a clock set back waits).
      if (partial.expires > now) return;
      this.#drop(key);
    }
  }

  /** Forgets a sender (it left): its payloads to every addressee. */
  forget(sender: string): void {
    this.#dropSender(sender);
  }

  /** What is held now: senders and payloads in progress, characters buffered. */
  stats(): { senders: number; partials: number; chars: number } {
    return { senders: this.#senders.size, partials: this.#partials.size, chars: this.#chars };
  }

  #dropSender(sender: string | undefined): void {
    if (sender === undefined) return;
    for (const key of this.#senders.get(sender) ?? []) this.#drop(key);
  }

  #drop(key: string | undefined): void {
    const partial = key === undefined ? undefined : this.#partials.get(key);
    if (key === undefined || partial === undefined) return;
    this.#partials.delete(key);
    this.#chars -= partial.chars;
    const mine = this.#senders.get(partial.sender);
    mine?.delete(key);
    if (mine?.size === 0) this.#senders.delete(partial.sender);
  }
}

/** The first (oldest) key of a map or set. */
function first(keys: ReadonlyMap<string, unknown> | ReadonlySet<string>): string | undefined {
  return keys.keys().next().value;
}
