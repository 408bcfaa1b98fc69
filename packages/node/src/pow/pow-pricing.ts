import type { PowScope } from '@sigmesh/protocol';
import type { NodeConfig } from '../config/node-options.js';
import type { LoadSource } from './load-sampler.js';
import { MessageCounter } from './message-counter.js';

/**
 * Who pays for a request. Rates are counted per identity that was itself paid for — the member
 * session of a room stream (its join was paid) — so clients behind one address (tabs, an office
 * NAT, a carrier's CGNAT) each have their own allowance. The address is counted too, but only
 * against a much larger allowance: a coarse cap on everyone behind it together.
 */
export interface Payer {
  /** The client address key (IPv4, or the IPv6 /64; see clientKey). */
  readonly address: string;
  /** The peer id of the member whose live session the request names; absent for joins etc. */
  readonly member?: string;
}

/** A client's price right now, and whether it is over the cap (and why, and until when). */
export interface PriceQuote {
  /** Expected hashes per request, ≥ 1, capped at powMaxDifficulty. */
  readonly price: number;
  /** Set when the uncapped price exceeds the cap: the node refuses instead of pricing. */
  readonly over: 'load' | 'rate' | undefined;
  /**
   * When over: milliseconds after which the same request will be accepted. For 'rate' exact
   * (when enough counted requests leave the one-minute window, if the client sends no more);
   * for 'load' the time until the load is measured again. 0 when not over.
   */
  readonly retryAfterMs: number;
}

type PricingConfig = Pick<
  NodeConfig,
  | 'powBaseDifficulty'
  | 'powMaxDifficulty'
  | 'powFreeMessages'
  | 'powMessagesPerDoubling'
  | 'powAddressFreeMessages'
  | 'powAddressMessagesPerDoubling'
  | 'powLoadKnee'
  | 'powLoadDoublings'
  | 'loadSampleMs'
  | 'maxTrackedClients'
>;

/**
 * price = base × f(load) × max(g_member(n), g_address(m)), capped (DESIGN §6).
 *
 * f(L) = 1 below the knee, then 2^(doublings × (L − knee) / (1 − knee)): flat while the node is
 * comfortable, steep as it nears saturation. g(n) = 2^(max(0, n − free) / perDoubling) over the
 * paid requests of the last minute: the member's own with the per-client allowance, and its
 * address's (every member and session-less request behind it) with the address allowance.
 * Requests without a member (joins, /token without a session, DHT) pay only g_address. Linear
 * PoW makes the price the expected work, so these are directly "hashes per request".
 */
export class PowPricing {
  readonly #config: PricingConfig;
  readonly #load: LoadSource;
  readonly #members: MessageCounter;
  readonly #addresses: MessageCounter;
  /** Each counter with its allowance: an address's (everyone behind it), a member's own. */
  readonly #addressAllowance: Allowance;
  readonly #memberAllowance: Allowance;
  readonly #scopeFactor: (scope: PowScope) => number;

  /**
   * `scopeFactor` prices what a scope holds beyond one request: a `token` credential can hold
   * TURN allocations for hours, so it costs that many plain requests, more as the TURN server
   * fills (turn/credential-cost.ts); other scopes are 1.
   */
  constructor(
    config: PricingConfig,
    load: LoadSource,
    now: () => number,
    scopeFactor: (scope: PowScope) => number = () => 1,
  ) {
    this.#config = config;
    this.#load = load;
    this.#scopeFactor = scopeFactor;
    this.#members = new MessageCounter({ maxClients: config.maxTrackedClients, now });
    this.#addresses = new MessageCounter({ maxClients: config.maxTrackedClients, now });
    this.#addressAllowance = {
      counter: this.#addresses,
      free: config.powAddressFreeMessages,
      perDoubling: config.powAddressMessagesPerDoubling,
    };
    this.#memberAllowance = {
      counter: this.#members,
      free: config.powFreeMessages,
      perDoubling: config.powMessagesPerDoubling,
    };
  }

  /** The load factor f(L) for a smoothed load in [0, 1]. */
  loadFactor(load: number): number {
    const { powLoadKnee: knee, powLoadDoublings: doublings } = this.#config;
    if (load <= knee) return 1;
    return 2 ** ((doublings * (Math.min(load, 1) - knee)) / (1 - knee));
  }

  /** base × f(load): what a quiet client pays now (published at `/status` and `/nodes`). */
  basePrice(): PriceQuote {
    return this.quote(undefined);
  }

  /**
   * The price for one payer (undefined: a quiet client with no history) of a request of `scope`
   * (undefined: one plain request). A scope's factor raises the price up to the cap but never
   * turns an accepted client away by itself: whether the node refuses is decided by the plain
   * price, so every challenge `GET /` quotes while it quotes any is usable.
   */
  quote(payer: Payer | undefined, scope?: PowScope): PriceQuote {
    const plain = this.#plain(payer);
    const factor = scope === undefined ? 1 : this.#scopeFactor(scope);
    if (plain.over !== undefined || factor === 1) return plain;
    return {
      ...plain,
      price: Math.min(this.#config.powMaxDifficulty, Math.ceil(plain.price * factor)),
    };
  }

  #plain(payer: Payer | undefined): PriceQuote {
    const { powMaxDifficulty: cap } = this.#config;
    const loadPrice =
      this.#config.powBaseDifficulty * this.loadFactor(this.#load.current().smoothed);
    if (loadPrice > cap)
      return { price: cap, over: 'load', retryAfterMs: this.#config.loadSampleMs };
    const rate = payer === undefined ? 1 : this.#rate(payer);
    const raw = loadPrice * rate;
    if (raw <= cap) return { price: Math.max(1, Math.ceil(raw)), over: undefined, retryAfterMs: 0 };
    const retryAfterMs = Math.max(
      ...this.#limits(payer!).map(({ counter, key, free, perDoubling }) =>
        counter.msUntilAtMost(key, maxRequests(loadPrice, cap, free, perDoubling)),
      ),
    );
    return { price: cap, over: 'rate', retryAfterMs };
  }

  /** Counts one paid request (after its proof-of-work verified). */
  record(payer: Payer): void {
    this.#addresses.record(payer.address);
    if (payer.member !== undefined) this.#members.record(payer.member);
  }

  /**
   * max(g_address, g_member) for a payer: {@link #limits} without building them (every paid
   * request asks twice: its check, its next challenge).
   */
  #rate(payer: Payer): number {
    const address = rateOf(this.#addressAllowance, payer.address);
    if (payer.member === undefined) return address;
    return Math.max(address, rateOf(this.#memberAllowance, payer.member));
  }

  /** Clients whose rate is tracked now, by kind (for /metrics and tests). */
  tracked(): { members: number; addresses: number } {
    return { members: this.#members.size, addresses: this.#addresses.size };
  }

  /** The counters a payer is priced against, each with its allowance and the payer's key. */
  #limits(payer: Payer): RateLimit[] {
    const address = { ...this.#addressAllowance, key: payer.address };
    if (payer.member === undefined) return [address];
    return [address, { ...this.#memberAllowance, key: payer.member }];
  }
}

/** A request counter and the allowance its clients have before their price rises. */
interface Allowance {
  readonly counter: MessageCounter;
  readonly free: number;
  readonly perDoubling: number;
}

interface RateLimit extends Allowance {
  readonly key: string;
}

/** g(n) for `key`'s requests in the last minute under `allowance`. */
function rateOf({ counter, free, perDoubling }: Allowance, key: string): number {
  return rateFactor(counter.count(key), free, perDoubling);
}

/** The rate factor g(n) = 2^(max(0, n − free) / perDoubling) for n requests in the last minute. */
function rateFactor(requests: number, free: number, perDoubling: number): number {
  return 2 ** (Math.max(0, requests - free) / perDoubling);
}

/** The most requests in the window at which loadPrice × g(n) is still within the cap. */
function maxRequests(loadPrice: number, cap: number, free: number, perDoubling: number): number {
  const within = (n: number): boolean =>
    loadPrice * 2 ** (Math.max(0, n - free) / perDoubling) <= cap;
  let n = Math.max(0, Math.floor(free + perDoubling * Math.log2(cap / loadPrice)));
  // The logarithm is exact only up to rounding: settle on the integer boundary.
  while (n > 0 && !within(n)) n--;
  while (within(n + 1)) n++;
  return n;
}
