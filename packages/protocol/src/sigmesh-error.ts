import { errorCatalog, isErrorCode, type ErrorCode } from './error-catalog.js';
import { isRecord } from './parse-result.js';

/** The JSON body of every error response: `{ code, message }`. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}

/** The one error type of sigmesh, on nodes and in clients. */
export class SigmeshError extends Error {
  override readonly name = 'SigmeshError';
  readonly code: ErrorCode;
  /** HTTP status this code maps to. */
  readonly status: number;
  /** Seconds to wait before retrying, where the code implies it (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: { retryAfter?: number; cause?: unknown },
  ) {
    super(
      message ?? errorCatalog[code].summary,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = errorCatalog[code].status;
    this.retryAfter = options?.retryAfter;
  }

  /** The `{ code, message }` wire form. */
  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

/** Makes a SigmeshError for `code`; the message defaults to the catalog summary. */
export function sigmeshError(
  code: ErrorCode,
  message?: string,
  options?: { retryAfter?: number; cause?: unknown },
): SigmeshError {
  return new SigmeshError(code, message, options);
}

/** Parses an `{ code, message }` error body received from a node. */
export function parseErrorBody(value: unknown): ErrorBody | undefined {
  if (!isRecord(value) || !isErrorCode(value.code) || typeof value.message !== 'string')
    return undefined;
  return { code: value.code, message: value.message };
}
