/** A node that completed the signed mesh handshake. */
export interface VerifiedNode {
  readonly id: string;
  readonly url: string;
  readonly verifiedAt: number;
}

/**
 * Nodes that proved their key in a mesh handshake, for `GET /nodes`. Bounded: the least recently
 * verified is forgotten first (each verification re-inserts, so Map order is age order).
 */
export class VerifiedNodes {
  readonly #nodes = new Map<string, { url: string; verifiedAt: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  record(id: string, url: string, at: number): void {
    this.#nodes.delete(id);
    this.#nodes.set(id, { url, verifiedAt: at });
    if (this.#nodes.size > this.#max) this.#nodes.delete(this.#nodes.keys().next().value!);
  }

  /** Nodes verified at or after `since`, newest first. */
  since(since: number): VerifiedNode[] {
    return [...this.#nodes]
      .filter(([, entry]) => entry.verifiedAt >= since)
      .map(([id, entry]) => ({ id, ...entry }))
      .reverse();
  }
}
