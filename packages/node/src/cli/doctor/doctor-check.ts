/** The outcome of one `sigmesh doctor` check: a line for the operator, and what to change. */
export interface CheckResult {
  /** `fail` makes the command exit non-zero; `warn` and `skip` do not. */
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  /** What was checked, e.g. "room stream (SSE)". */
  readonly title: string;
  /** What was found. */
  readonly detail: string;
  /** What to change, for `fail` and `warn`. */
  readonly fix?: string;
}

/** Where and how the checks run. */
export interface DoctorTarget {
  /** The node's base URL as given (no trailing slash). */
  readonly url: string;
  /** How long one check may wait for an answer. */
  readonly timeoutMs: number;
  /** Aborts every check (Ctrl-C). */
  readonly signal: AbortSignal;
}

const SYMBOLS: Record<CheckResult['status'], string> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  skip: '-',
};

/** `✓ title: detail`, and for problems an indented `fix:` line. */
export function renderCheck(result: CheckResult): string {
  const line = `${SYMBOLS[result.status]} ${result.title}: ${result.detail}`;
  return result.fix === undefined ? line : `${line}\n    fix: ${result.fix}`;
}

export function pass(title: string, detail: string): CheckResult {
  return { status: 'pass', title, detail };
}

export function fail(title: string, detail: string, fix: string): CheckResult {
  return { status: 'fail', title, detail, fix };
}

export function warn(title: string, detail: string, fix: string): CheckResult {
  return { status: 'warn', title, detail, fix };
}

/** A fetch bounded by the target's timeout and signal. */
export function fetchFor(
  target: DoctorTarget,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${target.url}${path}`, {
    ...init,
    signal: AbortSignal.any([target.signal, AbortSignal.timeout(target.timeoutMs)]),
  });
}

/** The message of a failed fetch, with its cause (fetch says only "fetch failed"). */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return error.name === 'TimeoutError' ? 'no answer in time' : `${error.message}${detail}`;
}
