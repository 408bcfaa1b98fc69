import {
  formatPlainPost,
  parsePowOffer,
  parsePowWwwAuthenticate,
  sigmeshError,
  utf8,
  type PowOffer,
  type SigmeshError,
} from '@sigmesh/protocol';
import type { PowSolver } from '../pow/pow-solver.js';
import { errorFrom, readJson, request } from './node-http.js';

/** Refusals a node lifts by itself after `Retry-After`: the same request is then accepted. */
const WAIT_AND_RETRY = new Set<SigmeshError['code']>([
  'RATE_LIMITED',
  'NODE_OVERLOADED',
  'UNPAID_RATE_LIMITED',
]);

/**
 * A safety net under the deadline, for a node answering every payment at once with another
 * cheap challenge. The deadline is the real bound: a price climbing with the node's load can
 * take dozens of quick re-payments before it settles.
 */
const MAX_ATTEMPTS = 1000;

/** How far a paid request may go. */
export interface PaidRequestLimits {
  /** Unix ms: no payment is started, and no Retry-After waited for, that ends after this. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  /** The most expected hashes to pay for one attempt (POW_TOO_EXPENSIVE above). */
  readonly maxDifficulty: number;
  /** A token already paid for `offer` (a pre-solved join), used for the first attempt. */
  readonly prepaid?: string;
  /** Called with every refusal the node answered (the last one explains a timeout). */
  readonly onRefusal?: (error: SigmeshError) => void;
}

/**
 * Sends one request that needs proof-of-work until the node accepts it or `limits.deadline`:
 * pays `offer` (or asks without a proof when there is none yet: the node answers 401 with a
 * challenge), pays the fresh challenge of every 401 (the price rose meanwhile: it moves with
 * the node's load and this client's rate), and waits out a `Retry-After` of RATE_LIMITED,
 * NODE_OVERLOADED or UNPAID_RATE_LIMITED when it ends before the deadline, then sends the same
 * proof again (a refusal over the cap spends nothing). Resolves with the accepted response;
 * rejects with the node's last refusal, or NODE_UNREACHABLE when it could not be reached.
 */
export async function paidRequest(
  send: (token: string | undefined) => Promise<Response>,
  bound: Uint8Array,
  offer: PowOffer | undefined,
  solver: PowSolver,
  limits: PaidRequestLimits,
): Promise<Response> {
  let current = offer;
  let token = limits.prepaid;
  let last: SigmeshError | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (current !== undefined && token === undefined) {
      if (current.difficulty > limits.maxDifficulty)
        throw sigmeshError(
          'POW_TOO_EXPENSIVE',
          `the node asks ${current.difficulty} hashes, more than maxPowDifficulty (${limits.maxDifficulty})`,
        );
      token = await solver.pay(current, bound, limits.signal);
    }
    const response = await send(token);
    if (response.ok) return response;
    const fresh =
      response.status === 401
        ? parsePowWwwAuthenticate(response.headers.get('www-authenticate'))
        : undefined;
    last = await errorFrom(response);
    limits.onRefusal?.(last);
    if (fresh !== undefined) {
      current = fresh;
      token = undefined;
      continue;
    }
    const waitMs = (last.retryAfter ?? Number.NaN) * 1000;
    if (!WAIT_AND_RETRY.has(last.code) || !(Date.now() + waitMs < limits.deadline)) throw last;
    await sleep(waitMs, limits.signal);
  }
  throw last ?? sigmeshError('NODE_UNREACHABLE', 'no answer');
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a paid POST answered, and the challenge the node offered for the next one. */
export interface PaidAnswer {
  readonly json: unknown;
  readonly next: PowOffer | undefined;
}

/** How a paid POST is sent. */
export interface PostForm {
  /** The member's session token (from its welcome), when the request is made as the member. */
  readonly session?: string;
  /**
   * Sends the plain form (`text/plain`, token and session at the head of the body) to a node
   * whose `GET /` lists `plain-post`: cross-origin it needs no CORS preflight, which the JSON
   * form's `Authorization` and `Sigmesh-Session` headers cost on every new URL.
   */
  readonly plain?: boolean;
  /**
   * What the proof binds: the exact body by default; a room post to a node listing
   * `room-bound-posts` may bind the room hash instead (so it can be paid ahead).
   */
  readonly bound?: Uint8Array;
}

/**
 * POSTs `text` with proof-of-work over its exact bytes (see {@link paidRequest}: re-paying a
 * raised price and waiting out a truthful Retry-After until `limits.deadline`), and reads the
 * JSON answer with the challenge it offers for the next request.
 */
export async function postPaid(
  url: string,
  text: string,
  offer: PowOffer | undefined,
  solver: PowSolver,
  limits: PaidRequestLimits & PostForm,
): Promise<PaidAnswer> {
  const { session, plain = false } = limits;
  const response = await paidRequest(
    (token) =>
      request(url, {
        method: 'POST',
        // Only CORS-safelisted headers in the plain form: a "simple request", no preflight.
        headers: plain
          ? { 'content-type': 'text/plain;charset=UTF-8', accept: 'application/json' }
          : {
              ...(session === undefined ? {} : { 'sigmesh-session': session }),
              'content-type': 'application/json',
              accept: 'application/json',
              ...(token === undefined ? {} : { authorization: `PoW ${token}` }),
            },
        body: plain ? formatPlainPost(token, session, text) : text,
        ...(limits.signal === undefined ? {} : { signal: limits.signal }),
      }),
    limits.bound ?? utf8(text),
    offer,
    solver,
    limits,
  );
  const json = await readJson(response);
  return { json, next: nextOffer(json) };
}

function nextOffer(json: unknown): PowOffer | undefined {
  if (typeof json !== 'object' || json === null || !('next' in json)) return undefined;
  const offer = parsePowOffer(json.next);
  return offer.ok ? offer.value : undefined;
}
