import { nodeDefaults } from '../../src/index.js';
import { PowGate } from '../../src/pow/pow-gate.js';
import { PowPricing } from '../../src/pow/pow-pricing.js';
import { ReplaySet } from '../../src/pow/replay-set.js';
import { UnpaidLimiter } from '../../src/pow/unpaid-limiter.js';

/** A gate on an injected clock and load, with cheap prices and small, visible limits. */
export function gate(
  options: {
    load?: number;
    replayMax?: number;
    unpaidBurst?: number;
    secret?: Uint8Array;
    /** Paid requests per minute before the price rises (0: every one doubles it). */
    freeMessages?: number;
  } = {},
) {
  let clock = Date.UTC(2030, 0, 1);
  const now = () => clock;
  const load = options.load ?? 0;
  const config = {
    ...nodeDefaults,
    powBaseDifficulty: 4,
    powMaxDifficulty: 64,
    powFreeMessages: options.freeMessages ?? 0,
    powMessagesPerDoubling: 1,
  };
  const pricing = new PowPricing(
    config,
    { current: () => ({ cpu: load, mem: 0, smoothed: load }) },
    now,
  );
  const pow = new PowGate({
    secret: options.secret ?? new Uint8Array(32).fill(7),
    ttlSeconds: 120,
    pricing,
    replay: new ReplaySet({
      generationMs: 120_000,
      maxPerGeneration: options.replayMax ?? 1000,
      now,
    }),
    unpaid: new UnpaidLimiter({
      perSecond: 1,
      burst: options.unpaidBurst ?? 100,
      maxClients: 100,
      now,
    }),
    priceTolerance: 0.25,
    now,
  });
  return { pow, advance: (ms: number) => (clock += ms) };
}
