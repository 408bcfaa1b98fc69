import { createHmac, createSecretKey, hash, timingSafeEqual, type KeyObject } from 'node:crypto';
import {
  encodeChallengeFields,
  parsePowToken,
  POW_MAC_BYTES,
  POW_VERSION,
  powTarget,
  sigmeshError,
  type PowOffer,
  type PowScope,
  type SigmeshError,
} from '@sigmesh/protocol';
import type { Payer, PowPricing } from './pow-pricing.js';
import { PowRejection } from './pow-rejection.js';
import type { ReplaySet } from './replay-set.js';
import type { UnpaidLimiter } from './unpaid-limiter.js';
import { overCapRefusal, retryAfterSeconds, unpaidRefusal } from './refusals.js';
import { RandomPool } from '../random-pool.js';

/** Seconds a challenge may claim to be from the future (clock steps on the node itself). */
const ALLOWED_SKEW_S = 5;
/** Cached scope tags (scope × client address) before the cache starts over. */
const SCOPE_TAG_CACHE = 10_000;

export interface PowGateOptions {
  readonly secret: Uint8Array;
  readonly ttlSeconds: number;
  readonly pricing: PowPricing;
  readonly replay: ReplaySet;
  /** Charged for every request whose proof fails: each one costs the node a fresh challenge. */
  readonly unpaid: UnpaidLimiter;
  /**
   * A challenge is still accepted when its difficulty is at most this fraction below the
   * client's current price (the price follows the smoothed load and moves between quote and
   * payment; see powPriceTolerance).
   */
  readonly priceTolerance: number;
  readonly now: () => number;
}

/**
 * Issues stateless challenges and verifies solutions (DESIGN §6). Verification runs cheapest
 * first and stops at the first failure: form, HMAC, time window, scope, price, one SHA-256,
 * and only then the replay set (the one step that writes memory).
 */
export class PowGate {
  readonly #options: PowGateOptions;
  /** The HMAC key imported once, not on every MAC. */
  readonly #key: KeyObject;
  readonly #random = new RandomPool();
  /** Scope tags are a pure function of (scope, client): cached, bounded (cleared when full). */
  readonly #scopeTags = new Map<string, Buffer>();

  constructor(options: PowGateOptions) {
    this.#options = options;
    this.#key = createSecretKey(options.secret);
  }

  /**
   * A fresh challenge for `scope`, priced for this payer. Over the cap it is priced at the cap:
   * usable once the refusal's Retry-After has passed, while it is still valid.
   */
  offer(scope: PowScope, payer: Payer): PowOffer {
    const { price } = this.#options.pricing.quote(payer, scope);
    return { challenge: this.#issue(scope, payer.address, price), difficulty: price, scope };
  }

  /**
   * Verifies `token` (`<challenge>.<counter>`, or undefined when absent) for a request of
   * `scope` by `payer` over `bound` (the body, or the room hash for a join). Throws a
   * SigmeshError: a PowRejection carrying a fresh offer for the 401s, or RATE_LIMITED /
   * NODE_OVERLOADED with a truthful Retry-After when the price is over the cap; any of these
   * becomes `UNPAID_RATE_LIMITED` once the address has used its allowance of unpaid requests.
   * On success counts the request for the payer.
   */
  check(token: string | undefined, scope: PowScope, payer: Payer, bound: Uint8Array): void {
    const { pricing, replay, now, ttlSeconds, priceTolerance } = this.#options;
    // Every refusal here bought nothing and costs an answer (a failed proof also a fresh
    // challenge, an HMAC): each is charged to the address like any other unpaid request.
    const unpaid = (): SigmeshError | undefined => {
      const allowance = this.#options.unpaid.take(payer.address);
      return allowance.ok ? undefined : unpaidRefusal(allowance.retryAfterMs);
    };
    const quote = pricing.quote(payer, scope);
    if (quote.over !== undefined) throw unpaid() ?? overCapRefusal(quote);
    const reject = (code: Parameters<typeof sigmeshError>[0], message: string): SigmeshError => {
      const refused = unpaid();
      if (refused !== undefined) return refused;
      return new PowRejection(code, message, {
        challenge: this.#issue(scope, payer.address, quote.price),
        difficulty: quote.price,
        scope,
      });
    };

    if (token === undefined || token === '')
      throw reject('POW_REQUIRED', 'this request needs proof-of-work');
    const parsed = parsePowToken(token);
    if (!parsed.ok) throw reject(parsed.code, parsed.message);
    const { challenge, counter: solution } = parsed.value;

    const expected = this.#mac(challenge.bytes.subarray(0, challenge.bytes.length - POW_MAC_BYTES));
    if (!timingSafeEqual(expected, challenge.mac))
      throw reject('POW_FORGED', 'the challenge was not issued by this node');

    const nowS = now() / 1000;
    if (
      challenge.issuedAt > nowS + ALLOWED_SKEW_S ||
      nowS > challenge.issuedAt + Math.min(challenge.ttl, ttlSeconds)
    ) {
      throw reject('POW_EXPIRED', 'the challenge has expired');
    }
    if (!timingSafeEqual(this.#scopeTag(scope, payer.address), challenge.scopeTag)) {
      throw reject(
        'POW_WRONG_SCOPE',
        `the challenge was issued for another route or client, not ${scope}`,
      );
    }
    if (challenge.difficulty < quote.price * (1 - priceTolerance)) {
      throw reject(
        'POW_UNDERPRICED',
        `difficulty ${challenge.difficulty} is below the current price ${quote.price}`,
      );
    }
    if (!solves(challenge.bytes, bound, solution, challenge.difficulty)) {
      throw reject(
        'POW_WRONG_SOLUTION',
        'the counter does not solve the challenge for this request',
      );
    }
    const replayed = replay.add(Buffer.from(challenge.nonce).toString('latin1'));
    if (replayed === 'replayed') throw reject('POW_REPLAYED', 'this challenge was already used');
    if (replayed === 'full') {
      // Truthful: once the set rotates, its current generation is empty again.
      const retryAfter = retryAfterSeconds(replay.msUntilRotation());
      throw sigmeshError(
        'NODE_OVERLOADED',
        `the replay set is full until it rotates in ${retryAfter} s`,
        { retryAfter },
      );
    }
    pricing.record(payer);
  }

  #issue(scope: PowScope, clientKey: string, difficulty: number): string {
    const signed = encodeChallengeFields({
      version: POW_VERSION,
      issuedAt: Math.floor(this.#options.now() / 1000),
      ttl: this.#options.ttlSeconds,
      difficulty,
      scopeTag: this.#scopeTag(scope, clientKey),
      nonce: this.#random.take(8),
    });
    // Same layout as the protocol's encodeChallenge, with Node's native base64url.
    return Buffer.concat([signed, this.#mac(signed)]).toString('base64url');
  }

  #mac(signed: Uint8Array): Buffer {
    return createHmac('sha256', this.#key).update(signed).digest().subarray(0, POW_MAC_BYTES);
  }

  /** First 8 bytes of SHA-256(scope "|" client key): binds a challenge to a route and a client. */
  #scopeTag(scope: PowScope, clientKey: string): Buffer {
    const key = `${scope}|${clientKey}`;
    let tag = this.#scopeTags.get(key);
    if (tag === undefined) {
      if (this.#scopeTags.size >= SCOPE_TAG_CACHE) this.#scopeTags.clear();
      tag = hash('sha256', key, 'buffer').subarray(0, 8);
      this.#scopeTags.set(key, tag);
    }
    return tag;
  }
}

/** The protocol's puzzle check with node:crypto (faster than the portable hash on the hot path). */
function solves(
  challengeBytes: Uint8Array,
  bound: Uint8Array,
  counter: number,
  difficulty: number,
): boolean {
  const counterBytes = Buffer.alloc(8);
  counterBytes.writeUIntBE(Math.floor(counter / 0x1_0000_0000), 0, 4);
  counterBytes.writeUInt32BE(counter >>> 0, 4);
  const input = Buffer.concat([challengeBytes, hash('sha256', bound, 'buffer'), counterBytes]);
  return hash('sha256', input, 'buffer').readUInt32BE(0) <= powTarget(difficulty);
}
