/**
 * Mutations of text fields: cut, grown by one character, case changed (hex ids are lowercase),
 * repeated whole, or given a long run of one character (where a regex or a scan could go
 * quadratic), padded with whitespace,
 * or salted with characters parsers trip on: NUL, newlines, quotes, a lone surrogate, an emoji,
 * right-to-left marks, a byte-order mark.
 */
import fc from 'fast-check';

/** Characters that have broken text parsers somewhere. */
export const NASTY_CHARS = [
  '\u0000',
  '\n',
  '\r',
  '\r\n',
  '"',
  '\\',
  ':',
  '.',
  ',',
  '=',
  ' ',
  '\t',
  '%',
  '\ud800',
  '\udfff',
  '💥',
  '\u202e',
  '\ufeff',
  '\u2028',
  'é',
  'A',
  'g',
  'z',
  '0',
  '9',
  '-',
  '_',
  '/',
  '+',
];

/** One mutation of a string. */
export type TextMutation =
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'run'; readonly at: number; readonly text: string; readonly times: number }
  | { readonly kind: 'upper' }
  | { readonly kind: 'repeat'; readonly times: number }
  | { readonly kind: 'pad'; readonly text: string };

/** Any character, lone surrogates included (a JSON `\ud800` escape parses to one). */
const anyChar = fc.oneof(
  fc.constantFrom(...NASTY_CHARS),
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
);

/** One text mutation. */
export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: anyChar }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), text: anyChar }),
  fc.record({
    kind: fc.constant('run' as const),
    at: fc.nat(),
    text: anyChar,
    times: fc.constantFrom(100, 1000, 20_000, 100_000),
  }),
  fc.record({ kind: fc.constant('upper' as const) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    times: fc.oneof(fc.integer({ min: 2, max: 4 }), fc.constantFrom(100, 1000, 20_000)),
  }),
  fc.record({
    kind: fc.constant('pad' as const),
    text: fc.constantFrom(' ', '\t', '\n', '\u00a0'),
  }),
);

/** Longest text a mutation may build: past every limit of the parsers under test. */
export const MAX_MUTATED_CHARS = 300_000;

/** Applies one mutation to `text`. */
export function applyTextMutation(text: string, mutation: TextMutation): string {
  const n = text.length;
  switch (mutation.kind) {
    case 'cut':
      return text.slice(0, n === 0 ? 0 : mutation.at % n);
    case 'insert': {
      const at = mutation.at % (n + 1);
      return text.slice(0, at) + mutation.text + text.slice(at);
    }
    case 'replace': {
      if (n === 0) return mutation.text;
      const at = mutation.at % n;
      return text.slice(0, at) + mutation.text + text.slice(at + 1);
    }
    case 'run': {
      const at = mutation.at % (n + 1);
      return text.slice(0, at) + mutation.text.repeat(mutation.times) + text.slice(at);
    }
    case 'upper':
      return text.toUpperCase();
    case 'repeat':
      return n === 0
        ? text
        : text.repeat(Math.min(mutation.times, Math.floor(MAX_MUTATED_CHARS / n)));
    case 'pad':
      return mutation.text + text + mutation.text;
  }
}

/** `seed` with up to `max` text mutations. */
export function mutatedText(seed: fc.Arbitrary<string>, max = 3): fc.Arbitrary<string> {
  return fc
    .tuple(seed, fc.array(textMutation, { maxLength: max }))
    .map(([text, mutations]) => mutations.reduce(applyTextMutation, text));
}
