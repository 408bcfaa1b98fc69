// Offer → answer round trip through the tracker dialect, across two sigmesh nodes against both
// clients on one node. Two node processes and a loopback DHT (bench/mesh/mesh-cluster.ts); in
// swarm X, client A is on node 1 and client B on node 2; in swarm Y both are on node 1. A
// announces with one offer (its only possible target is B), B answers the moment the offer
// arrives, and the time from A's send to A receiving the answer is one sample. Samples alternate
// between the two topologies; p50/p95 and their ratios are reported. Bounded: --samples each,
// every wait has a time limit.
//
//   npx tsx --conditions=source bench/tracker/offer-round-trip.ts [--samples 300] [--gap-ms 5]
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { stopAllChildren } from '../lib/child-process.js';
import { startMeshCluster, type NodeProcess } from '../mesh/mesh-cluster.js';
import { id20, SDP } from './tracker-load.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '300' },
    'gap-ms': { type: 'string', default: '5' },
    'ready-timeout-ms': { type: 'string', default: '30000' },
  },
});
const samples = Number(values.samples);
const gapMs = Number(values['gap-ms']);
const readyMs = Number(values['ready-timeout-ms']);

type Message = Record<string, unknown>;

/** A tracker client that answers every offer it receives at once. */
class Client {
  readonly peerId = id20();
  readonly #waiters = new Map<string, (at: number) => void>();

  private constructor(
    readonly ws: WebSocket,
    readonly infoHash: string,
  ) {
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      const message = JSON.parse(data.toString()) as Message;
      if (typeof message.offer_id !== 'string') return;
      if ('offer' in message) {
        this.send({
          peer_id: this.peerId,
          to_peer_id: message.peer_id,
          offer_id: message.offer_id,
          answer: { type: 'answer', sdp: SDP },
        });
      } else if ('answer' in message) {
        this.#waiters.get(message.offer_id)?.(at);
        this.#waiters.delete(message.offer_id);
      }
    });
  }

  static async open(port: number, infoHash: string): Promise<Client> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/announce`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const client = new Client(ws, infoHash);
    client.send({ peer_id: client.peerId, numwant: 0 });
    return client;
  }

  send(fields: Message): void {
    this.ws.send(JSON.stringify({ action: 'announce', info_hash: this.infoHash, ...fields }));
  }

  /** Announces one offer; resolves with ms until its answer, or undefined after `timeoutMs`. */
  offer(timeoutMs: number): Promise<number | undefined> {
    const offerId = id20();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(offerId);
        resolve(undefined);
      }, timeoutMs);
      const sent = performance.now();
      this.#waiters.set(offerId, (at) => {
        clearTimeout(timer);
        resolve(at - sent);
      });
      this.send({
        peer_id: this.peerId,
        numwant: 1,
        offers: [{ offer_id: offerId, offer: { type: 'offer', sdp: SDP } }],
      });
    });
  }
}

const lifted = {
  trackerMaxConnectionsPerAddress: 1_000_000,
  trackerAnnouncesPerSecond: 1_000_000,
  trackerOffersPerSecond: 1_000_000,
  trackerAddressAnnouncesPerSecond: 1_000_000,
  trackerAddressOffersPerSecond: 1_000_000,
};
const cluster = await startMeshCluster({ nodes: 2, dhtNodes: 20, nodeOptions: lifted });
const [node1, node2] = cluster.nodes as readonly [NodeProcess, NodeProcess];
const crossHash = id20();
const localHash = id20();
const pairs = {
  cross: {
    a: await Client.open(node1.port, crossHash),
    b: await Client.open(node2.port, crossHash),
  },
  local: {
    a: await Client.open(node1.port, localHash),
    b: await Client.open(node1.port, localHash),
  },
};

// The cross pair is ready once an offer crosses: node 1 learned of B through the mesh.
const readyBy = performance.now() + readyMs;
let readyAfterMs: number | undefined;
for (const started = performance.now(); performance.now() < readyBy;) {
  if ((await pairs.cross.a.offer(1_000)) !== undefined) {
    readyAfterMs = performance.now() - started;
    break;
  }
}
if (readyAfterMs === undefined) throw new Error(`no answer crossed the mesh within ${readyMs} ms`);
for (let i = 0; i < 20; i++) {
  await pairs.cross.a.offer(2_000); // warm-up (JIT)
  await pairs.local.a.offer(2_000);
}

const times: Record<'cross' | 'local', number[]> = { cross: [], local: [] };
let lost = 0;
for (let i = 0; i < samples; i++) {
  for (const kind of i % 2 === 0 ? (['cross', 'local'] as const) : (['local', 'cross'] as const)) {
    const ms = await pairs[kind].a.offer(2_000);
    if (ms === undefined) lost++;
    else times[kind].push(ms);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}
const quantile = (list: number[], q: number): number => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const stats = (list: number[]): Record<string, number> => ({
  n: list.length,
  p50: quantile(list, 0.5),
  p95: quantile(list, 0.95),
  p99: quantile(list, 0.99),
  max: quantile(list, 1),
});
const result = {
  bench: 'tracker-offer-round-trip',
  samples,
  gapMs,
  readyAfterMs,
  lost,
  crossNode: stats(times.cross),
  oneNode: stats(times.local),
  ratio: {
    p50: quantile(times.cross, 0.5) / quantile(times.local, 0.5),
    p95: quantile(times.cross, 0.95) / quantile(times.local, 0.95),
  },
};
console.log(
  `offer → answer: two nodes p50 ${result.crossNode.p50!.toFixed(2)} ms, p95 ${result.crossNode.p95!.toFixed(2)} ms; ` +
    `one node p50 ${result.oneNode.p50!.toFixed(2)} ms, p95 ${result.oneNode.p95!.toFixed(2)} ms; ` +
    `ratio p50 ×${result.ratio.p50.toFixed(2)}, p95 ×${result.ratio.p95.toFixed(2)}; lost ${lost}`,
);
console.log(JSON.stringify(result));
for (const pair of Object.values(pairs)) for (const c of [pair.a, pair.b]) c.ws.terminate();
await cluster.stop();
stopAllChildren();
