// Prints the node-core results table (markdown) from bench/results/node-core-<date>.json.
//
//   node --conditions=source --import tsx bench/report.ts [results.json]
import { readFileSync } from 'node:fs';
import { resultsFile } from './lib/bench-report.js';

interface FanoutSize {
  readonly medianDeliveriesPerSecond: { sigmesh: number; raw: number };
  readonly medianServerCpuMicrosPerDelivery?: { sigmesh: number; raw: number };
  readonly medianServerWritesPerDelivery?: { sigmesh: number; raw: number };
  readonly ratio: number;
  readonly goal: number;
  readonly met: boolean;
  readonly setupServerCpuSeconds?: { sigmesh: number; raw: number };
  readonly rawAnnouncedJoins?: boolean;
}
interface Results {
  readonly fanout?: { bySize: Record<string, FanoutSize> };
  readonly publish?: {
    medianRequestsPerSecond: { sigmesh: number; raw: number };
    medianServerCpuMicrosPerRequest: { sigmesh: number; raw: number };
    ratio: number;
    goal: number;
    met: boolean;
  };
  readonly memory?: {
    goalBytesPerMember: number;
    sigmesh: { rssBytesPerMember: number; heapBytesPerMember: number };
    raw: { rssBytesPerMember: number; heapBytesPerMember: number };
  };
}

const file = process.argv[2] ?? resultsFile();
const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const yes = (met: boolean): string => (met ? 'yes' : '**no**');
const rows: string[] = [
  '| metric | sigmesh | raw | ratio | goal | met? |',
  '| --- | ---: | ---: | ---: | --- | --- |',
];
for (const [size, r] of Object.entries(results.fanout?.bySize ?? {})) {
  const { sigmesh, raw } = r.medianDeliveriesPerSecond;
  rows.push(
    `| fan-out, room of ${n(Number(size))} (deliveries/s) | ${n(sigmesh)} | ${n(raw)} | ${r.ratio.toFixed(2)} | ≥ ${r.goal}× raw | ${yes(r.met)} |`,
  );
  const cpu = r.medianServerCpuMicrosPerDelivery;
  if (cpu !== undefined) {
    rows.push(
      `| ↳ server CPU per delivery (µs) | ${cpu.sigmesh} | ${cpu.raw} | ${(cpu.raw / cpu.sigmesh).toFixed(2)} | (raw/sigmesh) | |`,
    );
  }
  const writes = r.medianServerWritesPerDelivery;
  if (writes !== undefined) {
    rows.push(
      `| ↳ server write system calls per delivery | ${writes.sigmesh} | ${writes.raw} | ${(writes.raw / writes.sigmesh).toFixed(1)} | (raw/sigmesh) | |`,
    );
  }
  const fill = r.setupServerCpuSeconds;
  if (fill !== undefined) {
    const quiet = r.rawAnnouncedJoins === false ? ' (raw: joins not announced)' : '';
    rows.push(
      `| ↳ filling the room, server CPU (s) | ${fill.sigmesh} | ${fill.raw}${quiet} | — | ≤ 30 s at 10,000 | ${Number(size) >= 10_000 ? yes(fill.sigmesh <= 30) : ''} |`,
    );
  }
}
const p = results.publish;
if (p !== undefined) {
  rows.push(
    `| publish with PoW verify (requests/s) | ${n(p.medianRequestsPerSecond.sigmesh)} | ${n(p.medianRequestsPerSecond.raw)} | ${p.ratio.toFixed(2)} | ≥ 0.8× raw | ${yes(p.met)} |`,
  );
  const cpu = p.medianServerCpuMicrosPerRequest;
  rows.push(
    `| ↳ server CPU per request (µs) | ${cpu.sigmesh} | ${cpu.raw} | ${(cpu.raw / cpu.sigmesh).toFixed(2)} | (raw/sigmesh) | |`,
  );
}
const m = results.memory;
if (m !== undefined) {
  const goal = m.goalBytesPerMember;
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
  rows.push(
    `| idle member, JS heap (per member) | ${kb(m.sigmesh.heapBytesPerMember)} | ${kb(m.raw.heapBytesPerMember)} | ${(m.sigmesh.heapBytesPerMember / m.raw.heapBytesPerMember).toFixed(2)} | ≤ ${kb(goal)} | ${yes(m.sigmesh.heapBytesPerMember <= goal)} (raw ${yes(m.raw.heapBytesPerMember <= goal)}) |`,
  );
  rows.push(
    `| idle member, process RSS (per member) | ${kb(m.sigmesh.rssBytesPerMember)} | ${kb(m.raw.rssBytesPerMember)} | ${(m.sigmesh.rssBytesPerMember / m.raw.rssBytesPerMember).toFixed(2)} | ≤ ${kb(goal)} | ${yes(m.sigmesh.rssBytesPerMember <= goal)} (raw ${yes(m.raw.rssBytesPerMember <= goal)}) |`,
  );
}
process.stdout.write(`${rows.join('\n')}\n`);
