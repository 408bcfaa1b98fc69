import { hash, timingSafeEqual } from 'node:crypto';
import {
  encodeChallengeFields,
  parsePowToken,
  POW_CHALLENGE_BYTES,
  POW_MAC_BYTES,
  POW_NONCE_BYTES,
  POW_PREFIX_BYTES,
  POW_SIGNED_BYTES,
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
import { decodeBase64urlNative } from './native-base64url.js';

/** Seconds a challenge may claim to be from the future (clock steps on the node itself). */
const ALLOWED_SKEW_S = 5;
/** Cached scope tags (scope × client address) before the cache starts over. */
const SCOPE_TAG_CACHE = 10_000;
/** Cached digests of text bounds (room hashes) before the cache starts over. */
const TEXT_DIGEST_CACHE = 10_000;
/** Bytes of the node's MAC key (the secret): a full SHA-256 block holds key and signed bytes. */
const MAC_KEY_BYTES = 32;
/** Offset of the first nonce byte in a challenge (see the layout in pow-challenge.ts). */
const NONCE_OFFSET = 19;
/** The MAC's input (secret ‖ signed bytes) and then a challenge's MAC: one buffer, no copies. */
const MAC_INPUT_BYTES = MAC_KEY_BYTES + POW_SIGNED_BYTES;

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
  /**
   * With `sigmesh start --workers N`: this worker's index, written into the first nonce byte of
   * every challenge it mints, so a request paying with one is taken to it (workers/worker-routing.ts).
   */
  readonly minter?: number;
}

/**
 * Issues stateless challenges and verifies solutions (DESIGN §6). Verification runs cheapest
 * first and stops at the first failure: form, MAC, time window, scope, price, one SHA-256,
 * and only then the replay set (the one step that writes memory).
 *
 * The MAC is SHA-256(secret ‖ signed bytes), truncated to 16 bytes: a keyed hash over an input of
 * one fixed length (32 + 27 bytes, one SHA-256 block), where a secret-prefix MAC is sound —
 * length extension needs a longer message, and a challenge's signed part is always 27 bytes.
 * One native hash per MAC instead of HMAC's two plus an object (0.8 against 1.9 µs here).
 */
export class PowGate {
  readonly #options: PowGateOptions;
  readonly #random = new RandomPool();
  /** Scope tags are a pure function of (scope, client): cached, bounded (cleared when full). */
  readonly #scopeTags = new Map<string, Buffer>();
  /** SHA-256 of text bounds (a room hash: every join and room-bound post in it), cached. */
  readonly #textDigests = new Map<string, Buffer>();
  /**
   * The secret, the signed bytes of the challenge at hand, then its MAC when one is issued:
   * `#macInput` hashes the first two, `#challenge` (signed bytes ‖ MAC) is what is sent.
   */
  readonly #macBuffer = Buffer.alloc(MAC_INPUT_BYTES + POW_MAC_BYTES);
  readonly #macInput = this.#macBuffer.subarray(0, MAC_INPUT_BYTES);
  readonly #challenge = this.#macBuffer.subarray(MAC_KEY_BYTES);
  readonly #nonce = Buffer.alloc(POW_NONCE_BYTES);
  /**
   * The last scope tag asked for and its key: a paid request checks its proof and then offers
   * the next challenge, both for the same scope and client.
   */
  #lastTag:
    { readonly scope: PowScope; readonly clientKey: string; readonly tag: Buffer } | undefined;
  /** The puzzle's input for one check: challenge ‖ SHA-256(bound) ‖ counter. */
  readonly #attempt = Buffer.alloc(POW_PREFIX_BYTES + 8);

  constructor(options: PowGateOptions) {
    if (options.secret.length !== MAC_KEY_BYTES)
      throw new RangeError(`the PoW secret must be ${MAC_KEY_BYTES} bytes`);
    this.#options = options;
    this.#macBuffer.set(options.secret, 0);
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
   * `scope` by `payer` over `bound` (the body, or the room hash for a join), or over `alsoBound`
   * when given (a room post's room hash: a member solves its next post's challenge before it
   * knows what it will say; tried first, as it is short). A bound given as text (a room hash)
   * is its UTF-8 bytes, and its digest is cached: a room's joins and room-bound posts hash it
   * once. Throws a
   * SigmeshError: a PowRejection carrying a fresh offer for the 401s, or RATE_LIMITED /
   * NODE_OVERLOADED with a truthful Retry-After when the price is over the cap; any of these
   * becomes `UNPAID_RATE_LIMITED` once the address has used its allowance of unpaid requests.
   * On success counts the request for the payer.
   */
  check(
    token: string | undefined,
    scope: PowScope,
    payer: Payer,
    bound: Uint8Array | string,
    alsoBound?: string,
  ): void {
    const { pricing, replay, now, ttlSeconds, priceTolerance } = this.#options;
    const quote = pricing.quote(payer, scope);
    if (quote.over !== undefined) throw this.#unpaid(payer) ?? overCapRefusal(quote);

    if (token === undefined || token === '')
      throw this.#reject(
        payer,
        scope,
        quote.price,
        'POW_REQUIRED',
        'this request needs proof-of-work',
      );
    const parsed = parsePowToken(token, decodeBase64urlNative);
    if (!parsed.ok) throw this.#reject(payer, scope, quote.price, parsed.code, parsed.message);
    const { challenge, counter: solution } = parsed.value;

    const expected = this.#mac(challenge.bytes.subarray(0, POW_SIGNED_BYTES));
    if (!timingSafeEqual(expected, challenge.mac)) {
      throw this.#reject(
        payer,
        scope,
        quote.price,
        'POW_FORGED',
        'the challenge was not issued by this node',
      );
    }
    const nowS = now() / 1000;
    if (
      challenge.issuedAt > nowS + ALLOWED_SKEW_S ||
      nowS > challenge.issuedAt + Math.min(challenge.ttl, ttlSeconds)
    ) {
      throw this.#reject(payer, scope, quote.price, 'POW_EXPIRED', 'the challenge has expired');
    }
    if (!timingSafeEqual(this.#scopeTag(scope, payer.address), challenge.scopeTag)) {
      throw this.#reject(
        payer,
        scope,
        quote.price,
        'POW_WRONG_SCOPE',
        `the challenge was issued for another route or client, not ${scope}`,
      );
    }
    if (challenge.difficulty < quote.price * (1 - priceTolerance)) {
      throw this.#reject(
        payer,
        scope,
        quote.price,
        'POW_UNDERPRICED',
        `difficulty ${challenge.difficulty} is below the current price ${quote.price}`,
      );
    }
    const solves = (over: Uint8Array | string): boolean =>
      this.#solves(challenge.bytes, this.#digest(over), solution, challenge.difficulty);
    if (!((alsoBound !== undefined && solves(alsoBound)) || solves(bound))) {
      throw this.#reject(
        payer,
        scope,
        quote.price,
        'POW_WRONG_SOLUTION',
        'the counter does not solve the challenge for this request',
      );
    }
    const replayed = replay.add(nonceKey(challenge.bytes));
    if (replayed === 'replayed') {
      throw this.#reject(
        payer,
        scope,
        quote.price,
        'POW_REPLAYED',
        'this challenge was already used',
      );
    }
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

  /**
   * Every refusal in `check` bought nothing and costs an answer (a failed proof also a fresh
   * challenge): each is charged to the address like any other unpaid request. The refusal to
   * give once its allowance is used up, or undefined while it lasts.
   */
  #unpaid(payer: Payer): SigmeshError | undefined {
    const allowance = this.#options.unpaid.take(payer.address);
    return allowance.ok ? undefined : unpaidRefusal(allowance.retryAfterMs);
  }

  /** A failed proof: a 401 with a fresh offer, or the unpaid refusal once that is used up. */
  #reject(
    payer: Payer,
    scope: PowScope,
    price: number,
    code: Parameters<typeof sigmeshError>[0],
    message: string,
  ): SigmeshError {
    const refused = this.#unpaid(payer);
    if (refused !== undefined) return refused;
    return new PowRejection(code, message, {
      challenge: this.#issue(scope, payer.address, price),
      difficulty: price,
      scope,
    });
  }

  /** A challenge: its fields laid out after the secret in the MAC's input, then the MAC. */
  #issue(scope: PowScope, clientKey: string, difficulty: number): string {
    this.#random.fill(this.#nonce);
    if (this.#options.minter !== undefined) this.#nonce[0] = this.#options.minter;
    encodeChallengeFields(
      {
        version: POW_VERSION,
        issuedAt: Math.floor(this.#options.now() / 1000),
        ttl: this.#options.ttlSeconds,
        difficulty,
        scopeTag: this.#scopeTag(scope, clientKey),
        nonce: this.#nonce,
      },
      this.#macInput,
      MAC_KEY_BYTES,
    );
    const mac = hash('sha256', this.#macInput, 'buffer');
    // Sixteen bytes by hand: cheaper than Buffer#copy's checks for so few.
    const buffer = this.#macBuffer;
    for (let i = 0; i < POW_MAC_BYTES; i++) buffer[MAC_INPUT_BYTES + i] = mac[i]!;
    // The protocol's encodeChallenge layout (signed bytes ‖ MAC), with Node's native base64url.
    return this.#challenge.toString('base64url');
  }

  /** SHA-256(secret ‖ signed)[0:16] of a challenge received; see the class comment. */
  #mac(signed: Uint8Array): Buffer {
    this.#macInput.set(signed, MAC_KEY_BYTES);
    return hash('sha256', this.#macInput, 'buffer').subarray(0, POW_MAC_BYTES);
  }

  /**
   * The protocol's puzzle check (pow-solution.ts) with node:crypto, in one reused buffer, given
   * SHA-256 of the bound bytes.
   */
  #solves(challengeBytes: Uint8Array, boundDigest: Buffer, counter: number, difficulty: number) {
    const attempt = this.#attempt;
    attempt.set(challengeBytes, 0);
    attempt.set(boundDigest, POW_CHALLENGE_BYTES);
    attempt.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), POW_PREFIX_BYTES);
    attempt.writeUInt32BE(counter >>> 0, POW_PREFIX_BYTES + 4);
    return hash('sha256', attempt, 'buffer').readUInt32BE(0) <= powTarget(difficulty);
  }

  /** SHA-256 of a bound: of bytes each time, of text (UTF-8) from a bounded cache. */
  #digest(bound: Uint8Array | string): Buffer {
    return typeof bound === 'string'
      ? cachedSha256(this.#textDigests, bound, TEXT_DIGEST_CACHE)
      : hash('sha256', bound, 'buffer');
  }

  /** First 8 bytes of SHA-256(scope "|" client key): binds a challenge to a route and a client. */
  #scopeTag(scope: PowScope, clientKey: string): Buffer {
    const last = this.#lastTag;
    if (last?.scope === scope && last.clientKey === clientKey) return last.tag;
    const tag = cachedSha256(this.#scopeTags, `${scope}|${clientKey}`, SCOPE_TAG_CACHE, 8);
    this.#lastTag = { scope, clientKey, tag };
    return tag;
  }
}

/**
 * The first `bytes` of SHA-256(`text`) from `cache`, computed on a miss; a full cache starts
 * over (bounded memory).
 */
function cachedSha256(cache: Map<string, Buffer>, text: string, limit: number, bytes = 32): Buffer {
  let digest = cache.get(text);
  if (digest === undefined) {
    if (cache.size >= limit) cache.clear();
    digest = hash('sha256', text, 'buffer').subarray(0, bytes);
    cache.set(text, digest);
  }
  return digest;
}

/** The replay-set key of a challenge: its 8 nonce bytes as a latin1 string, without a copy. */
function nonceKey(challengeBytes: Uint8Array): string {
  const b = challengeBytes;
  const o = NONCE_OFFSET;
  return String.fromCharCode(
    b[o]!,
    b[o + 1]!,
    b[o + 2]!,
    b[o + 3]!,
    b[o + 4]!,
    b[o + 5]!,
    b[o + 6]!,
    b[o + 7]!,
  );
}
