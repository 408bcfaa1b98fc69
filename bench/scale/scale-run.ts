// One size of the scale bench: N real nodes (bench/scale/scale-cluster.ts), then per node: links,
// DHT and mesh traffic, CPU and memory while idle; many small rooms and one popular room with
// delivery counted per member; rendezvous of two members on two random nodes; and, when asked,
// delivery while nodes churn (bench/scale/scale-churn.ts). bench/scale/scale.ts runs it per size.
import { round } from '../lib/bench-report.js';
import { nowMs, sleep } from '../mesh/room-stream.js';
import { runChurn, type ChurnOptions, type ChurnResult } from './scale-churn.js';
import { scaleDiscoveryLimits, startScaleCluster, type ScaleCluster } from './scale-cluster.js';
import {
  memoryPerNode,
  measureWindow,
  meshDrops,
  workPer,
  type WindowFigures,
} from './scale-readings.js';
import {
  closeRooms,
  freshRoom,
  measureDelivery,
  measureRendezvous,
  pickDistinct,
  placeRooms,
  type DeliveryResult,
  type PlacedRoom,
} from './scale-rooms.js';

/** Options of one size. */
export interface ScaleOptions {
  readonly nodes: number;
  /** Plain DHT nodes besides the sigmesh nodes (default max(20, N/4)). */
  readonly dhtNodes?: number;
  readonly nodesPerHost: number;
  /** Discovery schedule speed-up (see scaleDiscoveryLimits), or the testnet's timings. */
  readonly timeScale: number | 'testnet';
  /** Wait after the last node started, before the first window (s). */
  readonly settleS: number;
  /** Length of each measuring window (s). */
  readonly windowS: number;
  /** Small rooms per node (each on 2–5 random nodes). */
  readonly smallRoomsPerNode: number;
  /** Share of the nodes the popular room is on. */
  readonly popularShare: number;
  readonly posts: number;
  readonly rendezvousTrials: number;
  /** Rendezvous trials run at once. */
  readonly rendezvousConcurrency: number;
  /** How long a room may take to come together before its posts are counted (ms). */
  readonly convergeWaitMs: number;
  readonly churn?: ChurnOptions;
  /** Only the idle window and memory: no rooms, rendezvous or churn (how many nodes fit idle). */
  readonly idleOnly?: boolean;
  /** Every node's `meshRoomBeatsPerSecond` (beat pacing); the node's default when absent. */
  readonly roomBeatsPerSecond?: number;
}

/** The figures of one size. */
export interface ScaleResult {
  readonly nodes: number;
  readonly dhtNodes: number;
  readonly hosts: number;
  readonly startSeconds: number;
  readonly bootstrapped: number;
  /** No rooms: only discovery, node verification and links. */
  readonly idle: WindowFigures;
  readonly idleMemoryPerNode: { heapUsedMiB: number; rssMiB: number; externalMiB: number };
  readonly smallRooms?: DeliveryResult;
  readonly popularRoom?: DeliveryResult & { readonly nodes: number };
  /** Every small room and the popular room held, nobody posting. */
  readonly withRooms?: WindowFigures;
  readonly withRoomsMemoryPerNode?: { heapUsedMiB: number; rssMiB: number; externalMiB: number };
  readonly rendezvous?: Awaited<ReturnType<typeof measureRendezvous>> & {
    /** What the mesh spent per trial: DHT datagrams, mesh frames, host CPU. */
    readonly perTrial: ReturnType<typeof workPer>;
  };
  readonly churn?: ChurnResult;
  /** Room messages the nodes refused, shed or dropped while the rooms' posts were measured. */
  readonly deliveryDrops?: ReturnType<typeof meshDrops>;
  readonly seconds: number;
}

async function waitBootstrapped(cluster: ScaleCluster, ms: number): Promise<number> {
  const deadline = nowMs() + ms;
  for (;;) {
    const nodes = (await cluster.read()).flatMap((host) => host.nodes);
    const ready = nodes.filter((node) => node.routingTable > 0).length;
    if (ready === nodes.length || nowMs() > deadline) return ready;
    await sleep(500);
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs one size and stops everything it started. */
export async function runScale(options: ScaleOptions): Promise<ScaleResult> {
  const started = nowMs();
  const n = options.nodes;
  const dhtNodes = options.dhtNodes ?? Math.max(20, Math.round(n / 4));
  const churnPool = options.churn === undefined ? 0 : options.churn.poolNodes;
  const cluster = await startScaleCluster({
    nodes: n - churnPool,
    dhtNodes,
    nodesPerHost: options.nodesPerHost,
    discoveryLimits: scaleDiscoveryLimits(options.timeScale),
    ...(options.roomBeatsPerSecond === undefined
      ? {}
      : { roomBeatsPerSecond: options.roomBeatsPerSecond }),
  });
  const rooms: PlacedRoom[] = [];
  try {
    for (let i = 0; i < churnPool; i += options.churn!.hostNodes)
      await cluster.addHost(Math.min(options.churn!.hostNodes, churnPool - i), true);
    const startSeconds = round((nowMs() - started) / 1000, 1);
    const bootstrapped = await waitBootstrapped(cluster, 30_000);
    log(
      `N=${n}: ${cluster.hosts.length} hosts up in ${startSeconds} s, ${bootstrapped} bootstrapped`,
    );
    await sleep(options.settleS * 1000);
    const idle = await measureWindow(cluster, options.windowS);
    const idleMemoryPerNode = await memoryPerNode(cluster);
    log(`  idle: ${JSON.stringify(idle)} memory ${JSON.stringify(idleMemoryPerNode)}`);
    const common = { nodes: n, dhtNodes, hosts: cluster.hosts.length, startSeconds, bootstrapped };
    if (options.idleOnly === true)
      return { ...common, idle, idleMemoryPerNode, seconds: round((nowMs() - started) / 1000, 1) };

    const all = [...cluster.nodes.values()];
    const smallCount = Math.max(1, Math.round(n * options.smallRoomsPerNode));
    const small = await placeRooms(
      Array.from({ length: smallCount }, () => ({
        room: freshRoom('small'),
        nodes: pickDistinct(all, 2 + Math.floor(Math.random() * 4)),
      })),
    );
    rooms.push(...small);
    const popularNodes = pickDistinct(all, Math.max(2, Math.round(n * options.popularShare)));
    const [popular] = await placeRooms([
      { room: freshRoom('popular'), nodes: popularNodes, witness: true },
    ]);
    rooms.push(popular!);
    const delivery = {
      posts: options.posts,
      gapMs: 100,
      waitMs: options.convergeWaitMs,
      probeEveryMs: 500,
      settleMs: 10_000,
    };
    const beforeDelivery = await cluster.read();
    const [smallRooms, popularRoom] = await Promise.all([
      measureDelivery(small, delivery),
      measureDelivery([popular!], delivery),
    ]);
    const deliveryDrops = meshDrops(beforeDelivery, await cluster.read());
    log(`  small rooms: ${JSON.stringify(smallRooms)}`);
    log(`  while posting: ${JSON.stringify(deliveryDrops)} (messages refused, shed, dropped)`);
    log(`  popular room on ${popularNodes.length} nodes: ${JSON.stringify(popularRoom)}`);
    const withRooms = await measureWindow(cluster, options.windowS);
    const withRoomsMemoryPerNode = await memoryPerNode(cluster);
    log(
      `  with rooms: ${JSON.stringify(withRooms)} memory ${JSON.stringify(withRoomsMemoryPerNode)}`,
    );
    const beforeRendezvous = await cluster.read();
    const trials = await measureRendezvous(all, {
      trials: options.rendezvousTrials,
      concurrency: options.rendezvousConcurrency,
      timeoutMs: 30_000,
      postEveryMs: 20,
    });
    // What one rendezvous costs the mesh: every node its lookups reach, not only the two.
    const rendezvous = {
      ...trials,
      perTrial: workPer(beforeRendezvous, await cluster.read(), trials.trials),
    };
    log(`  rendezvous: ${JSON.stringify(rendezvous)}`);
    const churn =
      options.churn === undefined
        ? undefined
        : await runChurn(cluster, popular!, options.churn, log);
    return {
      ...common,
      idle,
      idleMemoryPerNode,
      smallRooms,
      popularRoom: { ...popularRoom, nodes: popularNodes.length },
      deliveryDrops,
      withRooms,
      withRoomsMemoryPerNode,
      rendezvous,
      ...(churn === undefined ? {} : { churn }),
      seconds: round((nowMs() - started) / 1000, 1),
    };
  } finally {
    closeRooms(rooms);
    await cluster.stop();
  }
}
