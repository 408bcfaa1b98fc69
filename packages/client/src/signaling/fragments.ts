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
  readonly parts: Array<string | undefined>;
  received: number;
  chars: number;
  readonly expires: number;
}

/**
 * Reassembles fragments per sender. Bounded: at most `maxPerSender` payloads in progress per
 * sender (the oldest is dropped), each expiring after `ttlMs`, each within the protocol limits.
 */
export class FragmentAssembler {
  readonly #partials = new Map<string, Map<string, Partial>>();
  readonly #maxPerSender: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { maxPerSender?: number; ttlMs?: number; now?: () => number } = {}) {
    this.#maxPerSender = options.maxPerSender ?? 8;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Adds a fragment from `sender`; returns the whole JSON text once the last part is in. */
  add(sender: string, fragment: FragmentPayload): string | undefined {
    const now = this.#now();
    let mine = this.#partials.get(sender);
    if (mine === undefined) {
      mine = new Map();
      this.#partials.set(sender, mine);
    }
    for (const [id, partial] of mine) if (partial.expires <= now) mine.delete(id);
    let partial = mine.get(fragment.frag);
    if (partial === undefined) {
      if (mine.size >= this.#maxPerSender) mine.delete(mine.keys().next().value ?? '');
      partial = {
        parts: new Array<string | undefined>(fragment.count).fill(undefined),
        received: 0,
        chars: 0,
        expires: now + this.#ttlMs,
      };
      mine.set(fragment.frag, partial);
    }
    if (partial.parts.length !== fragment.count || partial.parts[fragment.index] !== undefined)
      return undefined;
    partial.parts[fragment.index] = fragment.part;
    partial.received++;
    partial.chars += fragment.part.length;
    if (partial.chars > clientSignalLimits.maxSealedChars * 2) {
      mine.delete(fragment.frag);
      return undefined;
    }
    if (partial.received < fragment.count) return undefined;
    mine.delete(fragment.frag);
    if (mine.size === 0) this.#partials.delete(sender);
    return partial.parts.join('');
  }

  /** Forgets a sender (it left). */
  forget(sender: string): void {
    this.#partials.delete(sender);
  }
}
