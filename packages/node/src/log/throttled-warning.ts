/**
 * A warning that may be logged at most once per interval. Conditions such as "the process ran
 * out of file descriptors" repeat for every connection attempt while they last; the operator
 * needs to hear about them, but one line a minute says as much as a thousand a second.
 */
export class ThrottledWarning {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Call once per occurrence. Returns how many occurrences were held back since the last line
   * when it is time to log one now, or `undefined` when this one should stay quiet.
   */
  occurred(): number | undefined {
    const now = this.now();
    if (now - this.lastLoggedAt < this.intervalMs) {
      this.suppressed++;
      return undefined;
    }
    const held = this.suppressed;
    this.suppressed = 0;
    this.lastLoggedAt = now;
    return held;
  }
}
