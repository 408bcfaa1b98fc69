/**
 * JSON documents as the fuzzer builds them. Besides plain JSON values a tree may hold raw JSON
 * text ({@link RawJson}) for what `JSON.stringify` cannot write but a peer can send: nesting far
 * deeper than the stack (`JSON.parse` takes it, `JSON.stringify` then throws), number literals
 * that parse to `Infinity` or `-0`, and own `__proto__` keys (set with `defineProperty`, as
 * `JSON.parse` does, so they are data, not a prototype).
 */

/** JSON text inserted verbatim. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A JSON value tree, possibly with raw parts. */
export type JsonTree =
  | null
  | boolean
  | number
  | string
  | RawJson
  | readonly JsonTree[]
  | { readonly [key: string]: JsonTree };

/** The JSON text of a tree. */
export function jsonText(tree: JsonTree): string {
  if (tree instanceof RawJson) return tree.text;
  if (Array.isArray(tree)) return `[${tree.map(jsonText).join(',')}]`;
  if (tree !== null && typeof tree === 'object') {
    const record = tree as { readonly [key: string]: JsonTree };
    return `{${Object.keys(record)
      .map((key) => `${JSON.stringify(key)}:${jsonText(record[key]!)}`)
      .join(',')}}`;
  }
  return JSON.stringify(tree);
}

/** An object from entries, each an own data property (even `__proto__`). */
export function jsonObject(entries: Iterable<readonly [string, JsonTree]>): {
  readonly [key: string]: JsonTree;
} {
  const out: Record<string, JsonTree> = {};
  for (const [key, value] of entries)
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` times around `inner`. */
export function deepNesting(depth: number, kind: 'array' | 'object', inner = 'null'): RawJson {
  return kind === 'array'
    ? new RawJson(`${'['.repeat(depth)}${inner}${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`);
}
