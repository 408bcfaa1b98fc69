/**
 * Structure-blind mutations of binary messages, in the style of libFuzzer's mutators: bit flips,
 * interesting bytes, truncation, appended noise, duplicated or deleted ranges, repeated ranges
 * (huge counts), and 16-bit fields overwritten with lies (length fields are 16-bit big-endian in
 * STUN, its attributes and ChannelData). Positions are drawn independently of the message and
 * taken modulo its length, so every mutation applies to every seed.
 */
import fc from 'fast-check';

/** One mutation of a byte string. */
export type ByteMutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'extend'; readonly bytes: Uint8Array }
  | {
      readonly kind: 'duplicate';
      readonly at: number;
      readonly length: number;
      readonly to: number;
    }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | {
      readonly kind: 'repeat';
      readonly at: number;
      readonly length: number;
      readonly times: number;
    }
  | {
      readonly kind: 'lie16';
      readonly at: number;
      readonly value: number;
      readonly relative: boolean;
    };

/** Bytes that tend to sit on boundaries: signs, limits, the STUN and ChannelData first bytes. */
const INTERESTING_BYTES = [0x00, 0x01, 0x03, 0x04, 0x3f, 0x40, 0x4f, 0x7f, 0x80, 0xfe, 0xff];
/** 16-bit values a length field can lie with (absolute), or deltas from the true value. */
const INTERESTING_16 = [0, 1, 2, 3, 4, 8, 0x7fff, 0x8000, 0xfffc, 0xfffe, 0xffff];

/** Largest message a mutation may build (a STUN message is at most 65,555 bytes). */
export const MAX_MUTATED_BYTES = 70_000;

const position = fc.nat();

/** One mutation, any kind. */
export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: position,
    bit: fc.integer({ min: 0, max: 7 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('extend' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
  }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
    to: position,
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: position,
    length: fc.integer({ min: 1, max: 16 }),
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: position,
    length: fc.integer({ min: 1, max: 32 }),
    times: fc.oneof(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 100, max: 4000 })),
  }),
  fc.record({
    kind: fc.constant('lie16' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...INTERESTING_16), fc.integer({ min: -8, max: 8 })),
    relative: fc.boolean(),
  }),
);

/** `seed` with up to `max` mutations applied in order (none: the seed as it is). */
export function mutatedBytes(seed: fc.Arbitrary<Uint8Array>, max = 4): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(seed, fc.array(byteMutation, { maxLength: max }))
    .map(([bytes, mutations]) => mutations.reduce(applyByteMutation, bytes));
}

/** Applies one mutation, returning a new array (the input is never changed). */
export function applyByteMutation(bytes: Uint8Array, mutation: ByteMutation): Uint8Array {
  const n = bytes.length;
  switch (mutation.kind) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[mutation.at % n]! ^= 1 << mutation.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[mutation.at % n] = mutation.value;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, n === 0 ? 0 : mutation.at % n);
    case 'extend':
      return concat(bytes, mutation.bytes);
    case 'duplicate': {
      if (n === 0) return bytes;
      const from = mutation.at % n;
      const piece = bytes.subarray(from, from + mutation.length);
      const to = mutation.to % (n + 1);
      return concat(bytes.subarray(0, to), piece, bytes.subarray(to));
    }
    case 'delete': {
      if (n === 0) return bytes;
      const from = mutation.at % n;
      return concat(bytes.subarray(0, from), bytes.subarray(from + mutation.length));
    }
    case 'repeat': {
      if (n === 0) return bytes;
      const from = mutation.at % n;
      const piece = bytes.subarray(from, from + mutation.length);
      const times = Math.min(mutation.times, Math.floor(MAX_MUTATED_BYTES / piece.length));
      return concat(
        bytes.subarray(0, from),
        ...new Array<Uint8Array>(times).fill(piece),
        bytes.subarray(from),
      );
    }
    case 'lie16': {
      if (n < 2) return bytes;
      const at = (mutation.at % (n - 1)) & ~1;
      const out = bytes.slice();
      const old = ((out[at] ?? 0) << 8) | (out[at + 1] ?? 0);
      const value = (mutation.relative ? old + mutation.value : mutation.value) & 0xffff;
      out[at] = value >> 8;
      out[at + 1] = value & 0xff;
      return out;
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(Math.min(length, MAX_MUTATED_BYTES));
  let offset = 0;
  for (const part of parts) {
    if (offset >= out.length) break;
    const take = part.subarray(0, out.length - offset);
    out.set(take, offset);
    offset += take.length;
  }
  return out;
}
