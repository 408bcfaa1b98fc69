import {
  parseErrorBody,
  parsePowOffer,
  parsePowWwwAuthenticate,
  sigmeshError,
  utf8,
  type PowOffer,
  type SigmeshError,
} from '@sigmesh/protocol';
import type { PowSolver } from '../pow/pow-solver.js';

/** fetch, with network failures turned into `NODE_UNREACHABLE` (aborts pass through). */
export async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw sigmeshError('NODE_UNREACHABLE', `cannot reach ${url}: ${String(error)}`, {
      cause: error,
    });
  }
}

/** The JSON of a successful answer, or the node's error as a SigmeshError. */
export async function readJson(response: Response): Promise<unknown> {
  if (!response.ok) throw await errorFrom(response);
  try {
    return await response.json();
  } catch (error) {
    throw sigmeshError('NODE_UNREACHABLE', `${response.url} did not answer JSON`, { cause: error });
  }
}

/** The SigmeshError a failed answer carries (its JSON body), keeping `Retry-After`. */
export async function errorFrom(response: Response): Promise<SigmeshError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = parseErrorBody(body);
  const retry = Number(response.headers.get('retry-after'));
  const options = Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {};
  if (parsed !== undefined) return sigmeshError(parsed.code, parsed.message, options);
  return sigmeshError('NODE_UNREACHABLE', `${response.url} answered HTTP ${response.status}`);
}

/** A signal that aborts after `ms`, or with `parent`. */
export function timeoutSignal(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return parent === undefined ? timeout : AbortSignal.any([timeout, parent]);
}

/** What a paid POST answered, and the challenge the node offered for the next one. */
export interface PaidAnswer {
  readonly json: unknown;
  readonly next: PowOffer | undefined;
}

/** Payments per POST: the first, then fresh challenges after 401s (a price rising under load). */
const MAX_PAYMENTS = 4;

/**
 * POSTs `text` with proof-of-work over its exact bytes, paying `offer` first. After a 401 (the
 * challenge expired, was used, or the price rose meanwhile) it pays the fresh challenge from
 * `WWW-Authenticate` and retries, up to {@link MAX_PAYMENTS} payments in all.
 */
export async function postPaid(
  url: string,
  text: string,
  offer: PowOffer,
  solver: PowSolver,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<PaidAnswer> {
  const bytes = utf8(text);
  let current = offer;
  for (let attempt = 0; ; attempt++) {
    const token = await solver.pay(current, bytes, options.signal);
    const response = await request(url, {
      method: 'POST',
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `PoW ${token}`,
      },
      body: text,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const fresh =
      response.status === 401
        ? parsePowWwwAuthenticate(response.headers.get('www-authenticate'))
        : undefined;
    if (fresh === undefined || attempt === MAX_PAYMENTS - 1) {
      const json = await readJson(response);
      return { json, next: nextOffer(json) };
    }
    await response.body?.cancel();
    current = fresh;
  }
}

function nextOffer(json: unknown): PowOffer | undefined {
  if (typeof json !== 'object' || json === null || !('next' in json)) return undefined;
  const offer = parsePowOffer(json.next);
  return offer.ok ? offer.value : undefined;
}
