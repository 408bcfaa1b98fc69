/** Oracle helpers shared by the targets: the shapes a parser's answer may take. */
import assert from 'node:assert/strict';
import { isErrorCode, SigmeshError, type ErrorCode, type ParseResult } from '@sigmesh/protocol';

/**
 * Asserts a parser answered with a typed value or a typed failure (a catalog code and a
 * message), and returns the value or `undefined`.
 */
export function parsedValue<T>(
  result: ParseResult<T>,
  codes?: readonly ErrorCode[],
): T | undefined {
  assert.equal(typeof result.ok, 'boolean', 'a parse result says ok or not');
  if (result.ok) return result.value;
  assert.ok(isErrorCode(result.code), `${result.code} is not a catalog code`);
  if (codes !== undefined)
    assert.ok(codes.includes(result.code), `unexpected failure code ${result.code}`);
  assert.equal(typeof result.message, 'string');
  return undefined;
}

/**
 * Runs `parse`, which may refuse only by throwing a SigmeshError with one of `codes` (the HTTP
 * layer's typed failure); anything else thrown is a crash. Returns the value or the code.
 */
export function valueOrCode<T>(
  parse: () => T,
  codes: readonly ErrorCode[],
): { readonly value: T } | { readonly code: ErrorCode } {
  try {
    return { value: parse() };
  } catch (error) {
    assert.ok(error instanceof SigmeshError, `threw ${String(error)}, not a SigmeshError`);
    assert.ok(codes.includes(error.code), `unexpected code ${error.code}`);
    return { code: error.code };
  }
}

/**
 * The node writes every accepted value back out as JSON (SSE events, mesh frames): that must not
 * throw, and must give back the same value.
 */
export function reserializes(value: unknown): unknown {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    assert.fail(`an accepted value cannot be written back as JSON: ${String(error)}`);
  }
  return JSON.parse(text) as unknown;
}
