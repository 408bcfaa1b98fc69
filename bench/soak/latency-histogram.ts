/** Bucket width below 100 ms, and from there to 10 s; later values share the last bucket. */
const FINE_MS = 0.05;
const FINE_UNTIL_MS = 100;
const COARSE_MS = 1;
const COARSE_UNTIL_MS = 10_000;
const FINE_BUCKETS = FINE_UNTIL_MS / FINE_MS;
const BUCKETS = FINE_BUCKETS + (COARSE_UNTIL_MS - FINE_UNTIL_MS) / COARSE_MS + 1;

/**
 * Latencies as counts in fixed buckets (50 µs wide up to 100 ms, 1 ms wide up to 10 s): a soak
 * sees about a million deliveries, too many to keep one by one, and percentiles from the buckets
 * are within a bucket's width of the exact ones. Histograms of several processes add up.
 */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  add(ms: number): void {
    const value = Math.max(0, ms);
    const index =
      value < FINE_UNTIL_MS
        ? Math.floor(value / FINE_MS)
        : Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor((value - FINE_UNTIL_MS) / COARSE_MS));
    this.#counts[index]!++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** The value below which `p` % of the samples lie (upper edge of its bucket); NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.max, upperEdge(i));
    }
    return this.max;
  }

  /** Non-empty buckets as [index, count] pairs, plus the totals (small enough for IPC). */
  toJSON(): SerializedHistogram {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.#counts[i]! > 0) buckets.push([i, this.#counts[i]!]);
    return { buckets, count: this.count, sum: this.sum, max: this.max };
  }

  /** Adds another histogram's counts (from {@link toJSON}). */
  merge(other: SerializedHistogram): void {
    for (const [index, count] of other.buckets) this.#counts[index]! += count;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
  }

  reset(): void {
    this.#counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.max = 0;
  }

  /** p50, p95, p99, p99.9, max and mean, rounded to 0.01 ms. */
  summary(): LatencySummary {
    const r = (value: number): number => Math.round(value * 100) / 100;
    return {
      count: this.count,
      p50: r(this.percentile(50)),
      p95: r(this.percentile(95)),
      p99: r(this.percentile(99)),
      p999: r(this.percentile(99.9)),
      max: r(this.max),
      mean: this.count === 0 ? Number.NaN : r(this.sum / this.count),
    };
  }
}

function upperEdge(index: number): number {
  return index < FINE_BUCKETS
    ? (index + 1) * FINE_MS
    : FINE_UNTIL_MS + (index - FINE_BUCKETS + 1) * COARSE_MS;
}

/** {@link LatencyHistogram.toJSON}'s shape. */
export interface SerializedHistogram {
  readonly buckets: readonly (readonly [number, number])[];
  readonly count: number;
  readonly sum: number;
  readonly max: number;
}

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}
