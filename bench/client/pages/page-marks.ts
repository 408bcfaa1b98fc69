// What the instrumented benchmark pages record, read back by the Node side.

/** One timestamped event in a page (epoch ms, sub-millisecond: timeOrigin + performance.now()). */
export interface PageMark {
  readonly t: number;
  readonly kind: string;
  readonly detail?: string;
  /** Which RTCPeerConnection (1, 2, …) or fetch or PoW job the mark belongs to. */
  readonly ref?: number;
}

/** What a page exposes on `window` for the benchmark. */
export interface PageProbe {
  readonly marks: PageMark[];
  /** Epoch ms of the first data channel `open` in this page, once it happened. */
  firstOpen: number | undefined;
}

/** The probe's place on `window` (set by the init script before any page script runs). */
export function pageProbe(): PageProbe {
  return (window as unknown as { __bench: PageProbe }).__bench;
}

/** Epoch ms with sub-millisecond resolution, comparable with the Node side's clock. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Records a mark in this page. */
export function mark(kind: string, detail?: string, ref?: number): void {
  pageProbe().marks.push({
    t: epochNow(),
    kind,
    ...(detail === undefined ? {} : { detail }),
    ...(ref === undefined ? {} : { ref }),
  });
}
