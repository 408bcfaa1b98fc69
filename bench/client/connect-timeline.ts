import { median, round } from '../lib/bench-report.js';
import { percentile } from './client-results.js';
import type { PageMark } from './pages/page-marks.js';

/** One timed trial: two pages, each with its marks (t in ms since both gotos started). */
export interface Trial {
  readonly variant: string;
  readonly round: number;
  readonly ok: boolean;
  /** The later page's first data channel open, ms after the gotos started. */
  readonly ms: number;
  readonly pageMs: readonly number[];
  /** Epoch ms when the gotos started. */
  readonly t0: number;
  readonly marks: ReadonlyArray<readonly PageMark[]>;
  readonly errors: readonly string[];
  /** What else the machine and the bench process (nodes, tracker, playwright) did meanwhile. */
  readonly load: {
    readonly benchProcessCpuMs: number;
    readonly eventLoopDelayMaxMs: number;
    readonly eventLoopDelayP99Ms: number;
    readonly machineIdle: number;
    readonly machineSteal: number;
  };
}

/** A step on the way to an open channel and when pages reached it (median over pages). */
export interface Milestone {
  readonly name: string;
  readonly medianMs: number;
  /** Pages that reached it. */
  readonly pages: number;
}

type Match = (mark: PageMark) => boolean;

const is =
  (kind: string, detail?: RegExp): Match =>
  (mark) =>
    mark.kind === kind && (detail === undefined || detail.test(mark.detail ?? ''));

/** The steps of a sigmesh page, in the order they happen (first occurrence of each). */
const sigmeshSteps: ReadonlyArray<readonly [string, Match]> = [
  ['page script runs (bundle loaded)', is('script-start')],
  ['identity key pair made', is('crypto-generateKey-done')],
  ['first probe sent (GET /)', is('fetch', /^GET :\d+ \/$/)],
  ['first probe answered', is('fetch-done', /^GET :\d+ \/ 200/)],
  ['/nodes answered', is('fetch-done', /\/nodes 200/)],
  ['first join PoW started (ranking done)', is('pow-start')],
  ['first join PoW solved', is('pow-done')],
  ['first room stream open (GET /room)', is('fetch-done', /^GET :\d+ \/room\/R/)],
  ['first hello posted', is('fetch-done', /POST :\d+ \/room\/R hello/)],
  ['first /token answered', is('fetch-done', /POST :\d+ \/token/)],
  ['joinRoom resolved', is('join-resolved')],
  ['RTCPeerConnection made', is('pc-new')],
  ['first signal posted', is('fetch', /POST :\d+ \/room\/R signal/)],
  ['remote description set', is('set-remote')],
  ['ICE connected', is('ice-connection', /connected|completed/)],
  ['data channel open', is('dc-open')],
];

/** The steps of a tracker page (bittorrent-tracker's client, non-trickle offers). */
const trackerSteps: ReadonlyArray<readonly [string, Match]> = [
  ['page script runs (bundle loaded)', is('script-start')],
  ['RTCPeerConnection made (offer)', is('pc-new')],
  ['WebSocket open', is('ws-open')],
  ['ICE gathering complete (offer ready)', is('ice-gathering', /complete/)],
  ['announce with offers sent', is('ws-out', /offers/)],
  ['offer or answer relayed to page', is('ws-in', /offer|answer/)],
  ['remote description set', is('set-remote')],
  ['ICE connected', is('ice-connection', /connected|completed/)],
  ['data channel open', is('dc-open')],
];

function milestones(
  trials: readonly Trial[],
  steps: ReadonlyArray<readonly [string, Match]>,
): Milestone[] {
  const pages = trials.filter((trial) => trial.ok).flatMap((trial) => trial.marks);
  return steps.map(([name, match]) => {
    const times = pages
      .map((marks) => marks.find(match)?.t)
      .filter((t): t is number => t !== undefined);
    return { name, medianMs: round(median(times), 1), pages: times.length };
  });
}

/** Per page: PoW jobs, their total time, and the time spent waiting on each kind of request. */
function costs(trials: readonly Trial[]): Milestone[] {
  const pages = trials.filter((trial) => trial.ok).flatMap((trial) => trial.marks);
  const perPage = (measure: (marks: readonly PageMark[]) => number): number[] => pages.map(measure);
  const spans = (marks: readonly PageMark[], start: Match, end: Match): number[] => {
    const started = new Map<number, number>();
    const out: number[] = [];
    for (const entry of marks) {
      if (start(entry) && entry.ref !== undefined) started.set(entry.ref, entry.t);
      else if (end(entry) && entry.ref !== undefined && started.has(entry.ref))
        out.push(entry.t - started.get(entry.ref)!);
    }
    return out;
  };
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  const before = (marks: readonly PageMark[], match: Match): readonly PageMark[] => {
    const open = marks.find(is('dc-open'))?.t ?? Number.POSITIVE_INFINITY;
    return marks.filter((entry) => entry.t <= open && match(entry));
  };
  const entries: Array<[string, number[]]> = [
    ['PoW jobs before open (count)', perPage((m) => before(m, is('pow-start')).length)],
    [
      'PoW time before open, summed (ms)',
      perPage((m) =>
        sum(
          spans(
            before(m, () => true),
            is('pow-start'),
            is('pow-done'),
          ),
        ),
      ),
    ],
    ['requests to nodes before open (count)', perPage((m) => before(m, is('fetch')).length)],
    [
      'GET / probe, each (ms)',
      pages.flatMap((m) =>
        spans(m, is('fetch', /^GET :\d+ \/$/), is('fetch-done', /^GET :\d+ \/ /)),
      ),
    ],
    [
      'room post, each (ms, after its PoW)',
      pages.flatMap((m) =>
        spans(m, is('fetch', /POST :\d+ \/room\/R/), is('fetch-done', /POST :\d+ \/room\/R/)),
      ),
    ],
    [
      'POST /token, each (ms, after its PoW)',
      pages.flatMap((m) => spans(m, is('fetch', /POST :\d+ \/token/), is('fetch-done', /\/token/))),
    ],
  ];
  return entries.map(([name, values]) => ({
    name,
    medianMs: round(median(values), 1),
    pages: values.length,
  }));
}

/**
 * Consecutive steps on each page, as durations (ms), the median over pages: unlike the
 * milestones (each a median of its own), these add up to about the median total.
 */
const sigmeshSegments: ReadonlyArray<readonly [string, Match, Match]> = [
  ['load page and bundle', () => false, is('script-start')],
  ['identity, solver, pool set-up', is('script-start'), is('fetch')],
  ['probe nodes and rank (GET /, /ip, /nodes; learned nodes)', is('fetch'), is('pow-start')],
  ['first join PoW (worker start included)', is('pow-start'), is('pow-done')],
  ['open the room stream (GET /room)', is('pow-done'), is('fetch-done', /GET :\d+ \/room\/R/)],
  [
    'hellos and /token on k nodes until joinRoom resolves',
    is('fetch-done', /GET :\d+ \/room\/R/),
    is('join-resolved'),
  ],
  ['wait for the other client (its hello)', is('join-resolved'), is('pc-new')],
  ['offer/answer through the nodes', is('pc-new'), is('set-remote')],
  ['ICE, DTLS, SCTP until the channel opens', is('set-remote'), is('dc-open')],
];
const trackerSegments: ReadonlyArray<readonly [string, Match, Match]> = [
  ['load page and bundle', () => false, is('script-start')],
  ['connect to the tracker (WebSocket)', is('script-start'), is('ws-open')],
  ['make the offer, gather ICE to completion', is('ws-open'), is('ws-out', /offers/)],
  ['offer/answer through the tracker', is('ws-out', /offers/), is('set-remote')],
  ['ICE, DTLS, SCTP until the channel opens', is('set-remote'), is('dc-open')],
];

function segments(
  trials: readonly Trial[],
  steps: ReadonlyArray<readonly [string, Match, Match]>,
): Milestone[] {
  const pages = trials.filter((trial) => trial.ok).flatMap((trial) => trial.marks);
  return steps.map(([name, from, to]) => {
    const spans = pages
      .map((marks) => {
        // A step that was already done when the previous one ended counts as 0 ms.
        const start = marks.find(from)?.t ?? 0;
        const end = marks.find(to)?.t;
        return end === undefined ? undefined : Math.max(0, end - start);
      })
      .filter((ms): ms is number => ms !== undefined);
    return { name: `${name} (duration)`, medianMs: round(median(spans), 1), pages: spans.length };
  });
}

/** Milestones per variant (sigmesh and tracker steps differ), and sigmesh's cost counters. */
export function summarizeTrials(trials: readonly Trial[]): Record<string, Milestone[]> {
  const out: Record<string, Milestone[]> = {};
  for (const variant of [...new Set(trials.map((trial) => trial.variant))]) {
    const of = trials.filter((trial) => trial.variant === variant);
    const tracker = variant.includes('tracker');
    out[variant] = [
      ...milestones(of, tracker ? trackerSteps : sigmeshSteps),
      ...segments(of, tracker ? trackerSegments : sigmeshSegments),
      ...(tracker ? [] : costs(of)),
    ];
  }
  return out;
}

/** Per variant: trials, failures, median, p90, min and max of the time to an open channel. */
export interface VariantStats {
  readonly trials: number;
  readonly failed: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** The name of the baseline variant every sigmesh variant is compared with. */
export const TRACKER = 'bittorrent-tracker';

/** Statistics per variant and each sigmesh variant's median and p90 over the tracker's. */
export function trialStats(trials: readonly Trial[]): {
  stats: Record<string, VariantStats>;
  ratios: Record<string, { median: number; p90: number }>;
} {
  const names = [...new Set(trials.map((trial) => trial.variant))];
  const stats = Object.fromEntries(
    names.map((name): [string, VariantStats] => {
      const of = trials.filter((trial) => trial.variant === name);
      const done = of.filter((trial) => trial.ok).map((trial) => trial.ms);
      return [
        name,
        {
          trials: of.length,
          failed: of.length - done.length,
          medianMs: round(median(done), 1),
          p90Ms: round(percentile(done, 90), 1),
          minMs: round(Math.min(...done), 1),
          maxMs: round(Math.max(...done), 1),
        },
      ];
    }),
  );
  const tracker = stats[TRACKER];
  const ratios = Object.fromEntries(
    names
      .filter((name) => name !== TRACKER && tracker !== undefined)
      .map((name) => [
        `${name} / tracker`,
        {
          median: round(stats[name]!.medianMs / tracker!.medianMs, 2),
          p90: round(stats[name]!.p90Ms / tracker!.p90Ms, 2),
        },
      ]),
  );
  return { stats, ratios };
}

/** Prints the statistics, the ratios and the breakdown. */
export function printSummary(
  stats: Record<string, VariantStats>,
  ratios: Record<string, { median: number; p90: number }>,
  breakdown: Record<string, Milestone[]>,
): void {
  process.stdout.write(
    '\nvariant                                  trials failed  median     p90  ratio (median, p90)\n',
  );
  for (const [name, s] of Object.entries(stats)) {
    const ratio = ratios[`${name} / tracker`];
    process.stdout.write(
      `${name.padEnd(40)} ${String(s.trials).padStart(6)} ${String(s.failed).padStart(6)} ${String(s.medianMs).padStart(7)} ${String(s.p90Ms).padStart(7)}  ${ratio === undefined ? '' : `${ratio.median}x, ${ratio.p90}x`}\n`,
    );
  }
  process.stdout.write(
    '\nbreakdown (ms; milestones: median time since goto; durations: median per page):\n',
  );
  for (const [name, steps] of Object.entries(breakdown))
    process.stdout.write(
      `${name}\n${steps.map((step) => `  ${step.name.padEnd(70)} ${String(step.medianMs).padStart(7)}  (n=${step.pages})`).join('\n')}\n`,
    );
}
