// Draws a soak's memory curve as an SVG from its results file: per node, RSS (top panel) and
// V8 heap used (bottom panel: every sample as a line, the checkpoints' readings after a full
// collection as dots), over minutes since the traffic started, with the end of the warm-up marked
// and each node's slopes after it in the legend.
//
//   node --conditions=source --import tsx bench/soak/plot-memory.ts \
//     --file bench/results/soak-2026-12-03.json --name soak [--out bench/results/soak-….svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { argument } from '../lib/bench-report.js';
import type { NodeMemoryTrend, TimelineSample, CheckpointResult } from './soak-summary.js';

interface Section {
  readonly measuredAt: string;
  readonly members: number;
  readonly config: { readonly warmupS: number; readonly durationS: number; readonly nodes: number };
  readonly timeline: readonly TimelineSample[];
  readonly checkpoints: readonly CheckpointResult[];
  readonly memoryTrend: readonly NodeMemoryTrend[];
}

const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
];
const WIDTH = 900;
const PANEL = 240;
const LEFT = 70;
const RIGHT = 20;
const TOP = 50;
const GAP = 60;
const LEGEND = 24;

/** The SVG text of one soak section's memory curve. */
export function memorySvg(section: Section): string {
  const nodes = section.config.nodes;
  const points = section.timeline;
  const xs = points.map((p) => p.at / 60);
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(section.config.durationS / 60, ...xs);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (minutes: number): number => LEFT + ((minutes - xMin) / (xMax - xMin)) * plotWidth;
  const out: string[] = [];
  const height = TOP + 2 * PANEL + GAP + 40 + LEGEND * nodes;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">sigmesh soak: ${section.members.toLocaleString('en')} members on ${nodes} node processes, memory per node (${section.measuredAt.slice(0, 10)})</text>`,
  );

  const panel = (
    top: number,
    title: string,
    series: (node: number) => { at: number; mib: number }[],
    dots?: (node: number) => { at: number; mib: number }[],
  ): void => {
    const values = Array.from({ length: nodes }, (_, n) => [
      ...series(n).map((p) => p.mib),
      ...(dots?.(n).map((p) => p.mib) ?? []),
    ]).flat();
    const yMax = niceCeil(Math.max(...values) * 1.05);
    const y = (mib: number): number => top + PANEL - (mib / yMax) * PANEL;
    out.push(`<text x="${LEFT}" y="${top - 8}" font-weight="bold">${title}</text>`);
    for (let i = 0; i <= 4; i++) {
      const value = (yMax / 4) * i;
      out.push(
        `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
        `<text x="${LEFT - 6}" y="${y(value) + 4}" text-anchor="end">${value.toFixed(0)} MiB</text>`,
      );
    }
    for (let minute = Math.ceil(xMin); minute <= xMax; minute++) {
      out.push(
        `<line x1="${x(minute)}" x2="${x(minute)}" y1="${top}" y2="${top + PANEL}" stroke="#eee"/>`,
        `<text x="${x(minute)}" y="${top + PANEL + 14}" text-anchor="middle">${minute}</text>`,
      );
    }
    const warm = x(section.config.warmupS / 60);
    out.push(
      `<line x1="${x(0)}" x2="${x(0)}" y1="${top}" y2="${top + PANEL}" stroke="#999"/>`,
      `<line x1="${warm}" x2="${warm}" y1="${top}" y2="${top + PANEL}" stroke="#999" stroke-dasharray="4 3"/>`,
      `<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="#333"/>`,
    );
    for (let n = 0; n < nodes; n++) {
      const color = COLORS[n % COLORS.length]!;
      const path = series(n)
        .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.at / 60).toFixed(1)},${y(p.mib).toFixed(1)}`)
        .join(' ');
      out.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
      for (const dot of dots?.(n) ?? [])
        out.push(
          `<circle cx="${x(dot.at / 60).toFixed(1)}" cy="${y(dot.mib).toFixed(1)}" r="3.5" fill="${color}" stroke="black" stroke-width="0.5"/>`,
        );
    }
  };

  panel(TOP, 'Resident set size (RSS)', (n) =>
    points.map((p) => ({ at: p.at, mib: p.nodes[n]!.rssMiB })),
  );
  const second = TOP + PANEL + GAP;
  panel(
    second,
    'V8 heap used (lines: every sample) and heap + external after a full GC at each checkpoint (dots)',
    (n) => points.map((p) => ({ at: p.at, mib: p.nodes[n]!.heapUsedMiB })),
    (n) =>
      section.checkpoints.map((c) => ({
        at: c.at,
        mib: c.heapAfterGcMiB[n]! + c.externalAfterGcMiB[n]!,
      })),
  );
  const axis = second + PANEL + 32;
  out.push(
    `<text x="${LEFT + plotWidth / 2}" y="${axis}" text-anchor="middle">minutes since the traffic started (before 0: members joining; dashed: end of warm-up, slopes fitted after it)</text>`,
  );
  for (let n = 0; n < nodes; n++) {
    const trend = section.memoryTrend[n];
    const slope = (value: number | undefined): string =>
      value === undefined ? '?' : `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
    const yLegend = axis + 10 + LEGEND * (n + 0.5);
    out.push(
      `<rect x="${LEFT}" y="${yLegend - 6}" width="18" height="4" fill="${COLORS[n % COLORS.length]!}"/>`,
      `<text x="${LEFT + 26}" y="${yLegend}">node ${n}: RSS ${slope(trend?.rss?.slopeMiBPerMin)} MiB/min, heap used ${slope(trend?.heapUsed?.slopeMiBPerMin)} MiB/min, heap + external after GC ${slope(trend?.retainedAfterGc?.slopeMiBPerMin)} MiB/min</text>`,
    );
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** A round top for an axis of four steps (each step 1, 2, 2.5 or 5 × a power of ten). */
export function niceCeil(value: number): number {
  const raw = value / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw)!;
  return step * 4;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = argument('file', '');
  if (file === '') throw new Error('--file bench/results/soak-<date>.json is required');
  const name = argument('name', 'soak');
  const section = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Section>)[name];
  if (section === undefined) throw new Error(`${file} has no section "${name}"`);
  const out = argument('out', file.replace(/\.json$/, `-${name}-memory.svg`));
  writeFileSync(out, memorySvg(section));
  process.stdout.write(`memory curve → ${out}\n`);
}
