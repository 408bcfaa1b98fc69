// Where a relay's CPU time went: self time of a .cpuprofile (from SIGMESH_BENCH_CHILD_FLAGS=
// "--cpu-prof --cpu-prof-dir=DIR" on fanout.ts) summed into groups, as shares of the busy time
// without idle and module loading.
//   node bench/nostr/profile-groups.ts FILE.cpuprofile   (through tsx, like the other scripts)
import { readFileSync } from 'node:fs';

interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-groups.ts FILE.cpuprofile');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const loading = /modules\/(esm|cjs)|tsx|cjs-module-lexer/;
const loaders = new Set([
  'resolve',
  'readFileUtf8',
  'openFileHandle',
  'waitForWorker',
  'InternalWorker',
]);

function group({ functionName: name, url }: { functionName: string; url: string }): string {
  if (name === '(idle)') return 'idle';
  if (loading.test(url) || loaders.has(name)) return 'startup';
  if (url.startsWith('wasm://') || url.includes('nostr-wasm'))
    return 'signature check (nostr-wasm)';
  if (name === 'writev' || name === 'writevGeneric' || name === 'writeGeneric')
    return 'socket writes';
  if (name === '(garbage collector)') return 'garbage collection';
  if (url.includes('/ws/')) return 'ws library';
  if (url.includes('/dialects/')) return 'dialect code (parse, filters, bus)';
  if (url.includes('packages/protocol')) return 'protocol parsers';
  if (url.includes('/mesh/') || url.includes('/rooms/')) return 'rooms and mesh';
  return 'other (Node internals, buffers, timers)';
}

const totals = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const name = group(frames.get(id)!);
  totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const busy = [...totals]
  .filter(([name]) => name !== 'idle' && name !== 'startup')
  .reduce((sum, [, us]) => sum + us, 0);
for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) {
  const share = name === 'idle' || name === 'startup' ? '' : `${((us / busy) * 100).toFixed(1)} %`;
  process.stdout.write(`${name.padEnd(42)} ${(us / 1000).toFixed(0).padStart(6)} ms  ${share}\n`);
}
