// Draws the scale bench's curves as one SVG from its results file: per-node cost against the
// number of nodes N (log scale) — links, DHT datagrams, mesh frames, CPU, memory — and the room
// figures (rendezvous, delivery latency, delivered share).
//
//   node --conditions=source --import tsx bench/scale/plot-scale.ts \
//     --file bench/results/scale-2026-12-03.json --name scale [--out docs/scaling.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { argument } from '../lib/bench-report.js';
import { niceCeil } from '../soak/plot-memory.js';
import type { ScaleResult } from './scale-run.js';

interface Section {
  readonly measuredAt: string;
  readonly options: { readonly timeScale: number | 'testnet' };
  readonly sizes: readonly ScaleResult[];
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly value: (size: ScaleResult) => number | null;
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
}

const IDLE = '#1f77b4';
const ROOMS = '#d62728';
const WIDTH = 1020;
const PANEL_W = 400;
const PANEL_H = 200;
const LEFT = 80;
const COLUMN_GAP = 100;
const TOP = 60;
const ROW_GAP = 110;

function panels(perDefaultMinute: number): Panel[] {
  const scaled = (value: number): number => value / perDefaultMinute;
  return [
    {
      title: 'mesh links per node',
      unit: '',
      series: [
        { label: 'idle, mean', color: IDLE, value: (s) => s.idle.links.mean },
        { label: 'idle, max', color: IDLE, dashed: true, value: (s) => s.idle.links.max },
        { label: 'rooms held, mean', color: ROOMS, value: (s) => s.withRooms?.links.mean ?? null },
        {
          label: 'rooms held, max',
          color: ROOMS,
          dashed: true,
          value: (s) => s.withRooms?.links.max ?? null,
        },
      ],
    },
    {
      title: 'DHT datagrams (sent + received) per node per minute',
      unit: '',
      series: [
        { label: 'idle', color: IDLE, value: (s) => scaled(s.idle.dhtMessagesPerNodeMin.mean) },
        {
          label: 'rooms held',
          color: ROOMS,
          value: (s) =>
            s.withRooms === undefined ? null : scaled(s.withRooms.dhtMessagesPerNodeMin.mean),
        },
      ],
    },
    {
      title: 'mesh frames sent per node per minute (window minute)',
      unit: '',
      series: [
        { label: 'idle', color: IDLE, value: (s) => s.idle.meshFramesSentPerNodeMin },
        {
          label: 'rooms held',
          color: ROOMS,
          value: (s) => s.withRooms?.meshFramesSentPerNodeMin ?? null,
        },
      ],
    },
    {
      title: "other nodes' beat values received per node per minute",
      unit: '',
      series: [
        { label: 'idle', color: IDLE, value: (s) => s.idle.beatValuesPerNodeMin?.mean ?? null },
        {
          label: 'rooms held',
          color: ROOMS,
          value: (s) => s.withRooms?.beatValuesPerNodeMin?.mean ?? null,
        },
        {
          label: 'rooms held, busiest node',
          color: ROOMS,
          dashed: true,
          value: (s) => s.withRooms?.beatValuesPerNodeMin?.max ?? null,
        },
      ],
    },
    {
      title: 'CPU seconds per node per minute (window minute)',
      unit: 's',
      series: [
        { label: 'idle', color: IDLE, value: (s) => s.idle.cpuSecondsPerNodeMin },
        {
          label: 'rooms held',
          color: ROOMS,
          value: (s) => s.withRooms?.cpuSecondsPerNodeMin ?? null,
        },
      ],
    },
    {
      title: 'memory per node after full GC',
      unit: 'MiB',
      series: [
        { label: 'heap, idle', color: IDLE, value: (s) => s.idleMemoryPerNode.heapUsedMiB },
        { label: 'RSS, idle', color: IDLE, dashed: true, value: (s) => s.idleMemoryPerNode.rssMiB },
        {
          label: 'heap, rooms',
          color: ROOMS,
          value: (s) => s.withRoomsMemoryPerNode?.heapUsedMiB ?? null,
        },
        {
          label: 'RSS, rooms',
          color: ROOMS,
          dashed: true,
          value: (s) => s.withRoomsMemoryPerNode?.rssMiB ?? null,
        },
      ],
    },
    {
      title: 'rendezvous and popular-room delivery latency',
      unit: 'ms',
      series: [
        { label: 'rendezvous p50', color: '#2ca02c', value: (s) => s.rendezvous?.ms.p50 ?? null },
        {
          label: 'rendezvous p95',
          color: '#2ca02c',
          dashed: true,
          value: (s) => s.rendezvous?.ms.p95 ?? null,
        },
        {
          label: 'popular room p50',
          color: '#9467bd',
          value: (s) => s.popularRoom?.latencyMs.p50 ?? null,
        },
        {
          label: 'popular room p99',
          color: '#9467bd',
          dashed: true,
          value: (s) => s.popularRoom?.latencyMs.p99 ?? null,
        },
      ],
    },
  ];
}

/** The SVG text of one scale section's curves. */
export function scaleSvg(section: Section): string {
  const sizes = [...section.sizes].sort((a, b) => a.nodes - b.nodes);
  const k = section.options.timeScale === 'testnet' ? 1 : section.options.timeScale;
  const list = panels(k);
  const rows = Math.ceil(list.length / 2);
  const height = TOP + rows * (PANEL_H + ROW_GAP);
  const ns = sizes.map((s) => s.nodes);
  const [lo, hi] = [Math.log2(Math.min(...ns)), Math.log2(Math.max(...ns))];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">sigmesh scale bench: cost per node against nodes in the mesh (${section.measuredAt.slice(0, 10)})</text>`,
    `<text x="${LEFT}" y="42">discovery schedule ${k === 1 ? 'as run' : `${k}× the default; DHT figures divided by ${k} (per default-schedule minute), the others per minute as run`}</text>`,
  ];
  list.forEach((panel, p) => {
    const left = LEFT + (p % 2) * (PANEL_W + COLUMN_GAP);
    const top = TOP + 20 + Math.floor(p / 2) * (PANEL_H + ROW_GAP);
    const x = (n: number): number =>
      left + (hi === lo ? PANEL_W / 2 : ((Math.log2(n) - lo) / (hi - lo)) * PANEL_W);
    const values = panel.series.flatMap((s) => sizes.map(s.value)).filter((v) => v !== null);
    const yMax = niceCeil(Math.max(1e-9, ...values) * 1.05);
    const y = (v: number): number => top + PANEL_H - (v / yMax) * PANEL_H;
    out.push(`<text x="${left}" y="${top - 8}" font-weight="bold">${panel.title}</text>`);
    for (let i = 0; i <= 4; i++) {
      const v = (yMax / 4) * i;
      out.push(
        `<line x1="${left}" x2="${left + PANEL_W}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
        `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}${panel.unit === '' ? '' : ` ${panel.unit}`}</text>`,
      );
    }
    for (const n of ns)
      out.push(`<text x="${x(n)}" y="${top + PANEL_H + 14}" text-anchor="middle">${n}</text>`);
    out.push(
      `<text x="${left + PANEL_W / 2}" y="${top + PANEL_H + 30}" text-anchor="middle">nodes (log scale)</text>`,
      `<rect x="${left}" y="${top}" width="${PANEL_W}" height="${PANEL_H}" fill="none" stroke="#333"/>`,
    );
    panel.series.forEach((series, i) => {
      const points = sizes.flatMap((s) => {
        const v = series.value(s);
        return v === null ? [] : [[x(s.nodes), y(v)] as const];
      });
      if (points.length === 0) return;
      const path = points
        .map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`)
        .join(' ');
      const dash = series.dashed === true ? ' stroke-dasharray="5 3"' : '';
      out.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`);
      for (const [px, py] of points)
        out.push(
          `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${series.color}"/>`,
        );
      const ly = top + PANEL_H + 48 + Math.floor(i / 2) * 16;
      const lx = left + (i % 2) * (PANEL_W / 2);
      out.push(
        `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"${dash}/>`,
        `<text x="${lx + 24}" y="${ly}">${series.label}</text>`,
      );
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = argument('file', '');
  if (file === '') throw new Error('--file bench/results/scale-<date>.json is required');
  const name = argument('name', 'scale');
  const section = (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Section>)[name];
  if (section === undefined) throw new Error(`${file} has no section "${name}"`);
  const out = argument('out', file.replace(/\.json$/, `-${name}.svg`));
  writeFileSync(out, scaleSvg(section));
  process.stdout.write(`scale curves → ${out}\n`);
}
