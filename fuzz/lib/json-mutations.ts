/**
 * Mutations of JSON documents that keep most of a valid message and break one thing at a time:
 * a field replaced by a value of another type or an extreme one, a field deleted, a field added
 * (prototype-pollution keys among them), a string or number nudged, an array grown past a count
 * limit, a value wrapped. Targets build a valid document and let these loose on it, so the
 * parser's deep checks are reached, not just its first `typeof`.
 */
import fc from 'fast-check';
import { deepNesting, jsonObject, jsonText, RawJson, type JsonTree } from './json-tree.js';
import { applyTextMutation, textMutation, type TextMutation } from './text-mutations.js';

/** Keys that pollute prototypes or shadow what parsers look up. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  't',
  'type',
  'kind',
  'data',
  'v',
  'id',
  'length',
  '0',
];

/** How a number is nudged. */
export type NumberChange = 'plus1' | 'minus1' | 'negate' | 'half' | 'huge' | 'infinity' | 'minus0';

/** One mutation of a JSON document. */
export type JsonMutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: JsonTree }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'add'; readonly at: number; readonly key: string; readonly value: JsonTree }
  | { readonly kind: 'text'; readonly at: number; readonly mutation: TextMutation }
  | { readonly kind: 'number'; readonly at: number; readonly change: NumberChange }
  | { readonly kind: 'grow'; readonly at: number; readonly times: number }
  | { readonly kind: 'wrap'; readonly at: number; readonly as: 'array' | 'object' };

/** Values parsers mishandle: wrong types, edges of integer ranges, raw literals, deep nesting. */
export const nastyJson: fc.Arbitrary<JsonTree> = fc.oneof(
  fc.constantFrom<JsonTree>(
    null,
    true,
    false,
    0,
    -1,
    1,
    0.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53),
    1e21,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    '',
    ' ',
    '0',
    'null',
    '__proto__',
    '\ud800',
    '💥',
    [],
    {},
    [null],
  ),
  fc.constant(jsonObject([['__proto__', jsonObject([['polluted', true]])]])),
  fc
    .constantFrom('1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '0.1e1')
    .map((text) => new RawJson(text)),
  fc
    .tuple(
      fc.constantFrom(64, 1_000, 5_000, 20_000),
      fc.constantFrom('array' as const, 'object' as const),
    )
    .map(([depth, kind]) => deepNesting(depth, kind)),
  fc.constantFrom(65, 257, 1_025, 4_097).map((n) => new Array<JsonTree>(n).fill(0)),
  fc.constantFrom(1_025, 65_537, 131_073).map((n) => 'x'.repeat(n)),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    maxLength: 20,
  }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonTree>,
);

const key = fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 8 }));

/** One JSON mutation. */
export const jsonMutation: fc.Arbitrary<JsonMutation> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: nastyJson }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      at: fc.nat(),
      key,
      value: nastyJson,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      at: fc.nat(),
      mutation: textMutation,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('number' as const),
      at: fc.nat(),
      change: fc.constantFrom<NumberChange>(
        'plus1',
        'minus1',
        'negate',
        'half',
        'huge',
        'infinity',
        'minus0',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('grow' as const),
      at: fc.nat(),
      times: fc.constantFrom(2, 65, 257, 1_025, 4_097),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wrap' as const),
      at: fc.nat(),
      as: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
);

/** Largest array a `grow` mutation builds, in characters of JSON. */
const MAX_GROWN_CHARS = 200_000;

/** A generated document and whether it is still the valid one (no mutation applied). */
export interface MutatedJson {
  readonly tree: JsonTree;
  readonly valid: boolean;
}

/** `seed` with up to `max` mutations; about a quarter of the documents stay valid. */
export function mutatedJson(seed: fc.Arbitrary<JsonTree>, max = 3): fc.Arbitrary<MutatedJson> {
  return fc
    .tuple(
      seed,
      fc.oneof(
        { weight: 1, arbitrary: fc.constant<JsonMutation[]>([]) },
        { weight: 3, arbitrary: fc.array(jsonMutation, { minLength: 1, maxLength: max }) },
      ),
    )
    .map(([tree, mutations]) => ({
      tree: mutations.reduce(applyJsonMutation, tree),
      valid: mutations.length === 0,
    }));
}

const DELETE = Symbol('delete');
type Rewrite = (node: JsonTree) => JsonTree | typeof DELETE;

/** Applies one mutation; a mutation with no node of its kind to act on leaves the tree as is. */
export function applyJsonMutation(tree: JsonTree, mutation: JsonMutation): JsonTree {
  switch (mutation.kind) {
    case 'replace':
      return rewriteNth(
        tree,
        () => true,
        mutation.at,
        () => mutation.value,
        true,
      );
    case 'delete':
      return rewriteNth(
        tree,
        () => true,
        mutation.at,
        () => DELETE,
        false,
      );
    case 'add':
      return rewriteNth(
        tree,
        isObject,
        mutation.at,
        (node) => jsonObject([...Object.entries(node as object), [mutation.key, mutation.value]]),
        true,
      );
    case 'text':
      return rewriteNth(
        tree,
        (node) => typeof node === 'string',
        mutation.at,
        (node) => applyTextMutation(node as string, mutation.mutation),
        true,
      );
    case 'number':
      return rewriteNth(
        tree,
        (node) => typeof node === 'number',
        mutation.at,
        (node) => changeNumber(node as number, mutation.change),
        true,
      );
    case 'grow':
      return rewriteNth(
        tree,
        (node) => Array.isArray(node) && node.length > 0,
        mutation.at,
        (node) => {
          const item = (node as readonly JsonTree[])[0]!;
          // Past a count limit is the point, not a document of megabytes.
          const times = Math.min(
            mutation.times,
            Math.floor(MAX_GROWN_CHARS / (jsonText(item).length + 1)),
          );
          return new Array<JsonTree>(Math.max(times, 2)).fill(item);
        },
        true,
      );
    case 'wrap':
      return rewriteNth(
        tree,
        () => true,
        mutation.at,
        (node) => (mutation.as === 'array' ? [node] : jsonObject([['a', node]])),
        true,
      );
  }
}

function changeNumber(value: number, change: NumberChange): JsonTree {
  switch (change) {
    case 'plus1':
      return value + 1;
    case 'minus1':
      return value - 1;
    case 'negate':
      return -value;
    case 'half':
      return value + 0.5;
    case 'huge':
      return value * 1e6 + 2 ** 53;
    case 'infinity':
      return new RawJson('1e400');
    case 'minus0':
      return new RawJson('-0');
  }
}

function isObject(node: JsonTree): boolean {
  return (
    node !== null && typeof node === 'object' && !Array.isArray(node) && !(node instanceof RawJson)
  );
}

/**
 * Rebuilds `tree` with the `index`-th node (pre-order, modulo the count) that `match` accepts
 * replaced by `rewrite(node)`, or removed from its parent when that returns DELETE. The root
 * counts only when `includeRoot`.
 */
function rewriteNth(
  tree: JsonTree,
  match: (node: JsonTree) => boolean,
  index: number,
  rewrite: Rewrite,
  includeRoot: boolean,
): JsonTree {
  let count = 0;
  walk(tree, includeRoot, (node) => {
    if (match(node)) count++;
  });
  if (count === 0) return tree;
  let left = index % count;
  const visit = (node: JsonTree, counts: boolean): JsonTree | typeof DELETE => {
    if (counts && match(node) && left-- === 0) return rewrite(node);
    if (Array.isArray(node)) {
      const items = node as readonly JsonTree[];
      return items.map((item) => visit(item, true)).filter((item) => item !== DELETE);
    }
    if (isObject(node)) {
      const record = node as { readonly [key: string]: JsonTree };
      const entries: Array<readonly [string, JsonTree]> = [];
      for (const key of Object.keys(record)) {
        const value = visit(record[key]!, true);
        if (value !== DELETE) entries.push([key, value]);
      }
      return jsonObject(entries);
    }
    return node;
  };
  const out = visit(tree, includeRoot);
  return out === DELETE ? null : out;
}

function walk(node: JsonTree, counts: boolean, see: (node: JsonTree) => void): void {
  if (counts) see(node);
  if (Array.isArray(node)) for (const item of node as readonly JsonTree[]) walk(item, true, see);
  else if (isObject(node)) {
    const record = node as { readonly [key: string]: JsonTree };
    for (const key of Object.keys(record)) walk(record[key]!, true, see);
  }
}
