import { median, round } from '../lib/bench-report.js';
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

/** Milestones per variant (sigmesh and tracker steps differ), and sigmesh's cost counters. */
export function summarizeTrials(trials: readonly Trial[]): Record<string, Milestone[]> {
  const out: Record<string, Milestone[]> = {};
  for (const variant of [...new Set(trials.map((trial) => trial.variant))]) {
    const of = trials.filter((trial) => trial.variant === variant);
    const tracker = variant.includes('tracker');
    out[variant] = [
      ...milestones(of, tracker ? trackerSteps : sigmeshSteps),
      ...(tracker ? [] : costs(of)),
    ];
  }
  return out;
}
