import type { LoadReading, LoadSource } from './load-sampler.js';
import type { RefusedWork } from './refused-work.js';

/**
 * The load the price follows: the node's measured load less the share of time it spent refusing
 * unpaid requests past their allowance. Everything the node does for paying clients, and for
 * unpaid requests within their allowance, still counts; a flood it turns away does not, so it
 * cannot make honest clients pay for it. Memory is never discounted.
 */
export class PricedLoad implements LoadSource {
  readonly #load: LoadSource;
  readonly #refused: RefusedWork;

  constructor(load: LoadSource, refused: RefusedWork) {
    this.#load = load;
    this.#refused = refused;
  }

  current(): LoadReading {
    const reading = this.#load.current();
    const smoothed = Math.max(reading.mem, reading.smoothed - this.#refused.share(), 0);
    return { cpu: reading.cpu, mem: reading.mem, smoothed: Math.min(reading.smoothed, smoothed) };
  }
}
