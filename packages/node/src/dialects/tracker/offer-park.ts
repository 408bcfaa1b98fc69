import type { ParkedOffer } from './swarm.js';

/** Characters of SDP held by every swarm's kept offers on this node, at most. */
export const MAX_PARKED_CHARS = 16 * 1024 * 1024;
/** A longer offer is not kept (Trystero's and WebTorrent's are a few thousand characters). */
export const MAX_PARKED_SDP_CHARS = 16 * 1024;

/** What the kept offers of every swarm on this node hold, counted against {@link MAX_PARKED_CHARS}. */
export interface ParkBudget {
  chars: number;
}

/**
 * One swarm's offers kept for newcomers (offer-relay.ts), by offerer peer_id + offer_id: bounded
 * per swarm by the caller's limit and node-wide by a shared budget of SDP characters, so what
 * clients announce is never held beyond what the node chose to hold.
 */
export class OfferPark {
  readonly #offers = new Map<string, ParkedOffer>();

  constructor(readonly budget: ParkBudget) {}

  get size(): number {
    return this.#offers.size;
  }

  /** Oldest first; entries may be dropped while iterating. */
  entries(): IterableIterator<[string, ParkedOffer]> {
    return this.#offers.entries();
  }

  /**
   * Keeps `offer` under `key` (replacing what was there) unless that would make more than `max`
   * entries, hold a longer SDP than {@link MAX_PARKED_SDP_CHARS}, or go over the node's budget.
   */
  keep(key: string, offer: ParkedOffer, max: number): boolean {
    const old = this.#offers.get(key);
    if (old === undefined && this.#offers.size >= max) return false;
    const delta = offer.sdp.length - (old?.sdp.length ?? 0);
    if (offer.sdp.length > MAX_PARKED_SDP_CHARS || this.budget.chars + delta > MAX_PARKED_CHARS)
      return false;
    this.#offers.set(key, offer);
    this.budget.chars += delta;
    return true;
  }

  get(key: string): ParkedOffer | undefined {
    return this.#offers.get(key);
  }

  drop(key: string): void {
    const old = this.#offers.get(key);
    if (old === undefined) return;
    this.#offers.delete(key);
    this.budget.chars -= old.sdp.length;
  }

  /** Drops what expired or belongs to a peer that left. */
  sweep(now: number): void {
    for (const [key, offer] of this.#offers)
      if (offer.until <= now || offer.peer.left) this.drop(key);
  }

  clear(): void {
    for (const key of [...this.#offers.keys()]) this.drop(key);
  }
}
