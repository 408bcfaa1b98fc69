/** A least-squares line through samples, in the samples' units per minute. */
export interface Trend {
  /** Samples fitted. */
  readonly samples: number;
  /** Slope in MiB per minute. */
  readonly slopeMiBPerMin: number;
  /** Standard error of the slope (MiB per minute): the slope is noise unless well above it. */
  readonly slopeStdErrMiBPerMin: number;
  /** The fitted line's values at the first and last sample (MiB), and its rise between them. */
  readonly fittedStartMiB: number;
  readonly fittedEndMiB: number;
  readonly minMiB: number;
  readonly maxMiB: number;
}

const MiB = 1024 * 1024;

/**
 * Fits bytes over time (ms) with ordinary least squares and reports MiB/min. A soak's memory is
 * "flat" when the slope after warm-up is small against both the level and its own standard error;
 * a leak shows as a slope that stays positive run after run. Undefined with fewer than 3 samples.
 */
export function fitTrend(points: readonly { at: number; bytes: number }[]): Trend | undefined {
  const n = points.length;
  if (n < 3) return undefined;
  const xs = points.map((p) => p.at / 60_000);
  const ys = points.map((p) => p.bytes / MiB);
  const meanX = xs.reduce((a, b) => a + b, 0) / n;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - meanX) ** 2;
    sxy += (xs[i]! - meanX) * (ys[i]! - meanY);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  let residuals = 0;
  for (let i = 0; i < n; i++) residuals += (ys[i]! - (intercept + slope * xs[i]!)) ** 2;
  const stdErr = Math.sqrt(residuals / (n - 2) / sxx);
  const r = (value: number): number => Math.round(value * 1000) / 1000;
  return {
    samples: n,
    slopeMiBPerMin: r(slope),
    slopeStdErrMiBPerMin: r(stdErr),
    fittedStartMiB: r(intercept + slope * xs[0]!),
    fittedEndMiB: r(intercept + slope * xs[n - 1]!),
    minMiB: r(Math.min(...ys)),
    maxMiB: r(Math.max(...ys)),
  };
}
