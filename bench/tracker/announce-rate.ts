// Announces per second with 3 offers each: the sigmesh tracker dialect against bittorrent-tracker's
// own server (11.0.2, WebSocket only), each in its own process on this machine, in interleaved
// rounds; server CPU per announce beside wall-clock rate. Bounded: ROUNDS × 2 × SECONDS.
//
//   npx tsx --conditions=source bench/tracker/announce-rate.ts [--rounds 3] [--seconds 5] [--peers 60] [--swarms 6]
import { parseArgs } from 'node:util';
import { startChild, stopAllChildren } from '../lib/child-process.js';
import { closedLoop, openPeers } from './tracker-load.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    peers: { type: 'string', default: '60' },
    swarms: { type: 'string', default: '6' },
  },
});
const rounds = Number(values.rounds);
const ms = Number(values.seconds) * 1000;
const peerCount = Number(values.peers);
const swarms = Number(values.swarms);

interface Sample {
  kind: string;
  perSecond: number;
  cpuUsPerAnnounce: number;
  /** CPU of this process (the load generator: 60 clients) per announce, on the same 2 cores. */
  clientCpuUsPerAnnounce: number;
}
const samples: Sample[] = [];
for (let round = 0; round < rounds; round++) {
  for (const kind of round % 2 === 0 ? ['sigmesh', 'reference'] : ['reference', 'sigmesh']) {
    const child = await startChild('../tracker/tracker-server-child.ts', [kind]);
    const { port } = await child.call<{ port: number }>({ type: 'port' });
    const peers = await openPeers(`ws://127.0.0.1:${port}/announce`, peerCount, swarms);
    await closedLoop(peers, 3, 1_000); // warm-up
    const before = await child.call<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    const done = await closedLoop(peers, 3, ms);
    const wall = performance.now() - started;
    const client = process.cpuUsage(clientBefore);
    const after = await child.call<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
    const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
    const sample = {
      kind,
      perSecond: (done * 1000) / wall,
      cpuUsPerAnnounce: cpuUs / done,
      clientCpuUsPerAnnounce: (client.user + client.system) / done,
    };
    samples.push(sample);
    console.log(
      `round ${round + 1} ${kind.padEnd(9)} ${sample.perSecond.toFixed(0)} announces/s, ${sample.cpuUsPerAnnounce.toFixed(1)} µs server CPU per announce (load generator ${sample.clientCpuUsPerAnnounce.toFixed(1)} µs)`,
    );
    for (const peer of peers) peer.ws.terminate();
    await child.call({ type: 'exit' });
    await child.stop();
  }
}
const median = (kind: string, key: keyof Omit<Sample, 'kind'>): number => {
  const sorted = samples
    .filter((s) => s.kind === kind)
    .map((s) => s[key])
    .sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const result = {
  bench: 'tracker-announce-rate',
  peers: peerCount,
  swarms,
  offersPerAnnounce: 3,
  seconds: ms / 1000,
  rounds,
  sigmesh: {
    perSecond: median('sigmesh', 'perSecond'),
    cpuUsPerAnnounce: median('sigmesh', 'cpuUsPerAnnounce'),
    clientCpuUsPerAnnounce: median('sigmesh', 'clientCpuUsPerAnnounce'),
  },
  reference: {
    perSecond: median('reference', 'perSecond'),
    cpuUsPerAnnounce: median('reference', 'cpuUsPerAnnounce'),
    clientCpuUsPerAnnounce: median('reference', 'clientCpuUsPerAnnounce'),
  },
  samples,
};
console.log(
  `median: sigmesh ${result.sigmesh.perSecond.toFixed(0)}/s (${result.sigmesh.cpuUsPerAnnounce.toFixed(1)} µs CPU), ` +
    `bittorrent-tracker ${result.reference.perSecond.toFixed(0)}/s (${result.reference.cpuUsPerAnnounce.toFixed(1)} µs CPU); ` +
    `rate ×${(result.sigmesh.perSecond / result.reference.perSecond).toFixed(2)}, ` +
    `CPU per announce ×${(result.reference.cpuUsPerAnnounce / result.sigmesh.cpuUsPerAnnounce).toFixed(2)} less`,
);
console.log(JSON.stringify(result));
stopAllChildren();
