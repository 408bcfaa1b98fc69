/**
 * True when a JSON value (as `JSON.parse` returns it) nests arrays and objects more than `limit`
 * levels deep; a scalar is depth 0, `[]` and `{}` depth 1. Walks with its own stack, so checking
 * a hostile value cannot overflow the call stack — `JSON.parse` builds 100,000 levels without
 * complaint, but `JSON.stringify`, which writes every relayed message back out, throws
 * `RangeError` near 5,000 (found by fuzzing: one mesh frame crashed the node).
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(next.value)
      ? next.value
      : Object.values(next.value as Record<string, unknown>);
    for (const child of children) stack.push({ value: child, depth });
  }
  return false;
}
