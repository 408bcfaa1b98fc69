// What federation of Trystero's topics costs and buys, on in-process testnets of 2, 3 and 5 nodes
// (loopback DHT), one Trystero-shaped Nostr client per node in one room:
// - meet time: the last page joins after the others' first announces are over; how long until it
//   and every other page have heard each other's announce (Trystero's next one is 60 s away, so
//   without the bus's replay this is a minute);
// - cost of one signal on another page's self topic: room-message frames sent between nodes
//   (targeted routing would need 1; routing through the root topic's room floods it).
//   node --conditions=source --import tsx bench/nostr/federation.ts [--rounds 5] [--sizes 2,3,5]
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { createTestnet, type SigmeshNode } from '@sigmesh/node';
import type { NostrEvent } from '@sigmesh/protocol';
import { argument, median, saveResults } from '../lib/bench-report.js';
import { signedEvents, trysteroKind } from './signed-events.js';

const rounds = Number(argument('rounds', '5'));
const sizes = argument('sizes', '2,3,5').split(',').map(Number);

class Client {
  readonly heard: NostrEvent[] = [];
  private constructor(
    readonly ws: WebSocket,
    readonly self: string,
  ) {
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[0] === 'EVENT') this.heard.push(message[2] as NostrEvent);
    });
  }
  static async join(node: SigmeshNode, root: string, self: string): Promise<Client> {
    const ws = new WebSocket(`${node.url().replace(/^http/, 'ws')}/nostr`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const client = new Client(ws, self);
    ws.send(
      JSON.stringify([
        'REQ',
        `s-${self}`,
        { kinds: [trysteroKind(root), trysteroKind(self)], '#x': [root, self] },
      ]),
    );
    return client;
  }
  async publish(topic: string, content: string): Promise<void> {
    const [event] = await signedEvents(1, topic, this.self, content);
    this.ws.send(JSON.stringify(['EVENT', event]));
  }
  /** Contents heard on `topic`. */
  on(topic: string): string[] {
    return this.heard
      .filter((e) => e.tags.some((t) => t[0] === 'x' && t[1] === topic))
      .map((e) => e.content);
  }
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const framesSent = (nodes: readonly SigmeshNode[]): number =>
  nodes.reduce((sum, node) => sum + node.meshStats().framesRelayed, 0);

const results: Record<string, unknown> = {};
for (const size of sizes) {
  const meetMs: number[] = [];
  const framesPerSignal: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const testnet = await createTestnet({
      nodes: size,
      nodeOptions: { logger: pino({ level: 'error' }) },
    });
    const clients: Client[] = [];
    try {
      const root = `root-${size}-${round}`;
      for (let i = 0; i < size - 1; i++) {
        const client = await Client.join(testnet.nodes[i]!, root, `self-${i}`);
        await client.publish(root, `{"peerId":"p${i}"}`);
        clients.push(client);
      }
      await until(() => clients.every((c) => c.on(root).length >= size - 1), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const start = performance.now();
      const last = await Client.join(testnet.nodes[size - 1]!, root, `self-${size - 1}`);
      await last.publish(root, `{"peerId":"p${size - 1}"}`);
      clients.push(last);
      await until(
        () =>
          last.on(root).length >= size &&
          clients.every((c) => c.on(root).includes(`{"peerId":"p${size - 1}"}`)),
        90_000,
      );
      meetMs.push(performance.now() - start);
      // One offer from the last page to the first page's self topic.
      const before = framesSent(testnet.nodes);
      await last.publish('self-0', 'offer');
      await until(() => clients[0]!.on('self-0').includes('offer'), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      framesPerSignal.push(framesSent(testnet.nodes) - before);
    } finally {
      for (const client of clients) client.ws.terminate();
      await testnet.close();
    }
    process.stdout.write(
      `${size} nodes, round ${round}: meet ${meetMs.at(-1)!.toFixed(0)} ms, ${framesPerSignal.at(-1)} frames per self-topic signal\n`,
    );
  }
  results[`nodes${size}`] = {
    meetMs,
    framesPerSignal,
    medianMeetMs: median(meetMs),
    medianFramesPerSignal: median(framesPerSignal),
  };
}
process.stdout.write(`${JSON.stringify(results)}\n`);
const file = saveResults('federation', { rounds, sizes, results }, 'nostr');
process.stdout.write(`saved to ${file}\n`);
