import type { NodeConfig } from '../config/node-options.js';
import type { LoadSource } from './load-sampler.js';
import type { MessageCounter } from './message-counter.js';

/** A client's price right now, and whether it is over the cap (and why). */
export interface PriceQuote {
  /** Expected hashes per request, ≥ 1, capped at powMaxDifficulty. */
  readonly price: number;
  /** Set when the uncapped price exceeds the cap: the node refuses instead of pricing. */
  readonly over: 'load' | 'rate' | undefined;
}

type PricingConfig = Pick<
  NodeConfig,
  | 'powBaseDifficulty'
  | 'powMaxDifficulty'
  | 'powFreeMessages'
  | 'powMessagesPerDoubling'
  | 'powLoadKnee'
  | 'powLoadDoublings'
>;

/**
 * price = base × f(load) × g(messages in the last minute), capped (DESIGN §6).
 *
 * f(L) = 1 below the knee, then 2^(doublings × (L − knee) / (1 − knee)): flat while the node is
 * comfortable, steep as it nears saturation. g(n) = 2^(max(0, n − free) / perDoubling): a quiet
 * client pays the base price, a chatty one pays exponentially more. Linear PoW makes the price
 * the expected work, so these are directly "hashes per request".
 */
export class PowPricing {
  readonly #config: PricingConfig;
  readonly #load: LoadSource;
  readonly #counter: MessageCounter;

  constructor(config: PricingConfig, load: LoadSource, counter: MessageCounter) {
    this.#config = config;
    this.#load = load;
    this.#counter = counter;
  }

  /** The load factor f(L) for a smoothed load in [0, 1]. */
  loadFactor(load: number): number {
    const { powLoadKnee: knee, powLoadDoublings: doublings } = this.#config;
    if (load <= knee) return 1;
    return 2 ** ((doublings * (Math.min(load, 1) - knee)) / (1 - knee));
  }

  /** The rate factor g(n) for n requests in the last minute. */
  rateFactor(messages: number): number {
    return (
      2 **
      (Math.max(0, messages - this.#config.powFreeMessages) / this.#config.powMessagesPerDoubling)
    );
  }

  /** The node-wide price, what a quiet client pays (published at `/` and `/nodes`). */
  basePrice(): PriceQuote {
    const raw = this.#config.powBaseDifficulty * this.loadFactor(this.#load.current().smoothed);
    return this.#cap(raw, raw);
  }

  /** The price for one client. */
  quote(clientKey: string): PriceQuote {
    const loadPrice =
      this.#config.powBaseDifficulty * this.loadFactor(this.#load.current().smoothed);
    return this.#cap(loadPrice, loadPrice * this.rateFactor(this.#counter.count(clientKey)));
  }

  #cap(loadPrice: number, raw: number): PriceQuote {
    const cap = this.#config.powMaxDifficulty;
    const over = loadPrice > cap ? 'load' : raw > cap ? 'rate' : undefined;
    return { price: Math.max(1, Math.min(cap, Math.ceil(raw))), over };
  }
}
