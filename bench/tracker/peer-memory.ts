// Memory per swarm peer: N peers, each its own WebSocket, announced into a sigmesh node's tracker
// dialect and into bittorrent-tracker 11's own server (WebSocket only), each server in its own
// process started with --expose-gc. Per server: heap + external and RSS after full GCs, before
// the peers connect, once every peer joined (one announce, no offers), and again after every peer
// announced once more with 3 offers (relayed, so the offer bookkeeping is counted too); deltas
// divided by N. Interleaved rounds; bounded: every step has a count and a time limit.
//
//   npx tsx --conditions=source bench/tracker/peer-memory.ts [--peers 10000] [--swarms 20] [--rounds 1]
import { parseArgs } from 'node:util';
import { startChild, stopAllChildren } from '../lib/child-process.js';
import { announceOnce, openPeers } from './tracker-load.js';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '10000' },
    swarms: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '1' },
    'step-timeout-ms': { type: 'string', default: '120000' },
  },
});
const peerCount = Number(values.peers);
const swarms = Number(values.swarms);
const rounds = Number(values.rounds);
const stepMs = Number(values['step-timeout-ms']);

interface Memory {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}
interface Sample {
  kind: string;
  round: number;
  /** Bytes per peer once joined: heap + external, RSS. */
  joined: { heapExternal: number; rss: number };
  /** Bytes per peer after one more announce with 3 offers each. */
  offered: { heapExternal: number; rss: number };
  baseline: Memory;
}

/** Rejects after `ms`: every step is bounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const perPeer = (after: Memory, before: Memory): { heapExternal: number; rss: number } => ({
  heapExternal: (after.heapUsed + after.external - before.heapUsed - before.external) / peerCount,
  rss: (after.rss - before.rss) / peerCount,
});

const samples: Sample[] = [];
for (let round = 0; round < rounds; round++) {
  for (const kind of round % 2 === 0 ? ['sigmesh', 'reference'] : ['reference', 'sigmesh']) {
    const child = await startChild('../tracker/tracker-server-child.ts', [kind], ['--expose-gc']);
    const { port } = await child.call<{ port: number }>({ type: 'port' });
    const memory = async (): Promise<Memory> => {
      const { memory, gc } = await child.call<{ memory: Memory; gc: boolean }>({ type: 'memory' });
      if (!gc) throw new Error('the server child has no gc(): start it with --expose-gc');
      return memory;
    };
    const baseline = await memory();
    const peers = await within(
      openPeers(`ws://127.0.0.1:${port}/announce`, peerCount, swarms),
      stepMs,
      `${kind}: ${peerCount} peers joining`,
    );
    const joined = await memory();
    // Every peer announces once more with 3 offers; in batches so the load stays bounded.
    for (let i = 0; i < peers.length; i += 500)
      await within(
        Promise.all(peers.slice(i, i + 500).map((peer) => announceOnce(peer, 3))),
        stepMs,
        `${kind}: announces with offers`,
      );
    const offered = await memory();
    const sample: Sample = {
      kind,
      round,
      joined: perPeer(joined, baseline),
      offered: perPeer(offered, baseline),
      baseline,
    };
    samples.push(sample);
    console.log(
      `round ${round + 1} ${kind.padEnd(9)} joined: ${(sample.joined.heapExternal / 1024).toFixed(2)} KB heap+external, ` +
        `${(sample.joined.rss / 1024).toFixed(2)} KB RSS per peer; after 3 offers each: ` +
        `${(sample.offered.heapExternal / 1024).toFixed(2)} KB, ${(sample.offered.rss / 1024).toFixed(2)} KB`,
    );
    for (const peer of peers) peer.ws.terminate();
    await child.stop();
  }
}
const median = (kind: string, pick: (s: Sample) => number): number => {
  const sorted = samples
    .filter((s) => s.kind === kind)
    .map(pick)
    .sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const summary = (kind: string): Record<string, number> => ({
  joinedHeapExternalBytes: median(kind, (s) => s.joined.heapExternal),
  joinedRssBytes: median(kind, (s) => s.joined.rss),
  offeredHeapExternalBytes: median(kind, (s) => s.offered.heapExternal),
  offeredRssBytes: median(kind, (s) => s.offered.rss),
});
const result = {
  bench: 'tracker-peer-memory',
  peers: peerCount,
  swarms,
  rounds,
  sigmesh: summary('sigmesh'),
  reference: summary('reference'),
  samples,
};
console.log(JSON.stringify(result));
stopAllChildren();
