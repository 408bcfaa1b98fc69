// What an idle room member holds in a server's V8 heap, object by object: heap snapshots of the
// server child (after full collections) with the warm-up members and again with --members more,
// diffed by constructor (strings, arrays, closures and code by kind). Where bench/memory.ts says
// how much, this says what.
//
//   node --conditions=source --import tsx bench/heap-diff.ts [--kind sigmesh|raw] [--members 1000] [--top 30]
//     [--keep DIR (keep the two snapshots there, for Chrome DevTools' comparison view)]
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveRoomHash } from '@sigmesh/protocol';
import { argument, requireFds } from './lib/bench-report.js';
import { openIdleMembers, startServer, type ServerKind } from './lib/bench-servers.js';
import { startChild, stopAllChildren } from './lib/child-process.js';

const kind = argument('kind', 'sigmesh') as ServerKind;
const members = Number(argument('members', '1000'));
const top = Number(argument('top', '30'));
const keep = argument('keep', '');
const warmup = 100;
const room = deriveRoomHash('sigmesh-bench', 'heap-diff');

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes and objects per group: objects by constructor, the rest by kind. */
function groups(file: string): Map<string, { bytes: number; count: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const result = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt!]!]!;
    const name = heap.strings[heap.nodes[i + nameAt!]!]!;
    const key =
      type === 'object' || type === 'closure' || type === 'native'
        ? `${type} ${name.slice(0, 60)}`
        : type === 'hidden' || type === 'array' || type === 'code'
          ? `${type} ${name.slice(0, 40)}`
          : `(${type})`;
    const entry = result.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += heap.nodes[i + sizeAt!]!;
    entry.count++;
    result.set(key, entry);
  }
  return result;
}

requireFds(members + warmup + 200);
const server = await startServer(kind, ['--expose-gc']);
const clients = await startChild('./members-child.ts');
const files = [
  join(keep || tmpdir(), `heap-${kind}-${process.pid}-a.heapsnapshot`),
  join(keep || tmpdir(), `heap-${kind}-${process.pid}-b.heapsnapshot`),
];
try {
  const open = (count: number): Promise<{ opened: number }> =>
    openIdleMembers(clients, server, room, count, 32);
  await open(warmup);
  await server.child.call({ type: 'heap-snapshot', file: files[0] }, 600_000);
  const { opened } = await open(members);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await server.child.call({ type: 'heap-snapshot', file: files[1] }, 600_000);
  const added = opened - warmup;
  const [before, after] = files.map(groups) as [
    ReturnType<typeof groups>,
    ReturnType<typeof groups>,
  ];
  const rows = [...after].map(([key, { bytes, count }]) => {
    const was = before.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: (bytes - was.bytes) / added, count: (count - was.count) / added };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  process.stdout.write(
    `${kind}: ${added} members added; ${total.toFixed(0)} B of heap per member\n`,
  );
  for (const row of rows.slice(0, top))
    process.stdout.write(
      `${row.bytes.toFixed(1).padStart(8)} B ${row.count.toFixed(2).padStart(6)} objects  ${row.key}\n`,
    );
} finally {
  await clients.stop();
  await server.child.stop();
  stopAllChildren();
  if (keep === '') for (const file of files) rmSync(file, { force: true });
  else process.stdout.write(`snapshots: ${files.join(' ')}\n`);
}
