import type { ErrorCode } from './error-catalog.js';

/** The outcome of parsing untrusted input: a typed value, or a typed failure with a stable code. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** A successful parse. */
export function parsed<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

/** A failed parse with a catalog code and a human-readable reason. */
export function rejected<T = never>(code: ErrorCode, message: string): ParseResult<T> {
  return { ok: false, code, message };
}

/** True for plain JSON objects (not arrays, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
