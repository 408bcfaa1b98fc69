import { sigmeshError, type SigmeshError } from '@sigmesh/protocol';
import type { PriceQuote } from './pow-pricing.js';

// The refusals that tell a client when to come back. Every Retry-After here is the time after
// which the same request is really accepted (if the client sends nothing else meanwhile),
// computed from the counter that refused it; for the node's load, when it is measured again.

/** Whole seconds for a Retry-After header: rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The refusal of a price over the cap: 503 for the node's load, 429 for the payer's rate. */
export function overCapRefusal(quote: PriceQuote): SigmeshError {
  const retryAfter = retryAfterSeconds(quote.retryAfterMs);
  return quote.over === 'load'
    ? sigmeshError(
        'NODE_OVERLOADED',
        `the node's load prices proof-of-work above its cap; it measures again within ${retryAfter} s`,
        { retryAfter },
      )
    : sigmeshError(
        'RATE_LIMITED',
        `this client's paid requests in the last minute price it above the cap; the same request is accepted in ${retryAfter} s`,
        { retryAfter },
      );
}

/**
 * Unpaid refusals by Retry-After: a flood gets one of a handful of answers, so each is made
 * once (an Error captures a stack trace when made: measured at 8 % of a flood's refusal cost).
 */
const unpaidRefusals = new Map<number, SigmeshError>();

/** The refusal of an unpaid request past its address's allowance. */
export function unpaidRefusal(retryAfterMs: number): SigmeshError {
  const retryAfter = retryAfterSeconds(retryAfterMs);
  let refusal = unpaidRefusals.get(retryAfter);
  if (refusal === undefined) {
    refusal = sigmeshError(
      'UNPAID_RATE_LIMITED',
      `too many requests without proof-of-work from this address; the next is accepted in ${retryAfter} s`,
      { retryAfter },
    );
    if (unpaidRefusals.size < 64) unpaidRefusals.set(retryAfter, refusal);
  }
  return refusal;
}
