import type { LoadSource } from '../../pow/load-sampler.js';

/** Smoothed load from which the tracker admits no new peers, connections or offers. */
export const TRACKER_OVERLOAD = 0.95;

/**
 * How much of its configured rates the tracker grants at the node's current load: all of them up
 * to the price knee (`--pow-load-knee`), then linearly less, down to nothing at full load; and
 * whether the node is too loaded to admit anything new (from {@link TRACKER_OVERLOAD}).
 */
export class LoadAdmission {
  constructor(
    private readonly load: LoadSource,
    private readonly knee: number,
  ) {}

  /** The factor (0–1) applied to every refill rate now. */
  scale(): number {
    const load = this.load.current().smoothed;
    if (load <= this.knee) return 1;
    return Math.max(0, Math.min(1, (1 - load) / (1 - this.knee)));
  }

  /** True while new connections, swarm joins and offers are refused (TRACKER_OVERLOADED). */
  overloaded(): boolean {
    return this.load.current().smoothed >= TRACKER_OVERLOAD;
  }
}
