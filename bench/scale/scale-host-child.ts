// Hosts many sigmesh nodes in one process for the scale bench (bench/scale/scale-cluster.ts): the
// real node (HTTP, mesh links over WebSockets, bittorrent-dht on UDP) started once per node, all
// joined to the loopback DHT of bench/mesh/dht-child.ts. Run with --expose-gc: memory is read
// after full collections. Every WebSocket frame this process sends is a mesh frame (members reach
// the nodes over SSE from the parent), so the process counts them as the mesh's traffic.
import {
  createEphemeralIdentity,
  startNode,
  type NodeOptions,
  type SigmeshNode,
} from '@sigmesh/node';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { serveParent } from '../lib/child-process.js';

const gc = (globalThis as { gc?: () => void }).gc;
const nodes = new Map<number, SigmeshNode>();
let wsFramesSent = 0;
/** Frames sent by their `t` (the mesh frame type). */
const framesByType: Record<string, number> = {};
const TYPE = /^\{"t":"([a-z-]+)"/;
// Kept unbound on purpose: it is applied to each socket below.
// eslint-disable-next-line @typescript-eslint/unbound-method
const send = WebSocket.prototype.send as (this: WebSocket, ...args: unknown[]) => void;
WebSocket.prototype.send = function counted(this: WebSocket, ...args: unknown[]) {
  wsFramesSent++;
  const type = typeof args[0] === 'string' ? (TYPE.exec(args[0])?.[1] ?? 'other') : 'binary';
  framesByType[type] = (framesByType[type] ?? 0) + 1;
  send.apply(this, args);
} as WebSocket['send'];
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

/** One node's counters, as the parent sums them. */
export interface HostedNodeStats {
  readonly index: number;
  readonly links: number;
  readonly dhtSent: number;
  readonly dhtReceived: number;
  /** The DHT queries it sent, by KRPC method. */
  readonly dhtQueriesSent: Readonly<Record<string, number>>;
  readonly routingTable: number;
  readonly roomFramesSent: number;
  readonly roomFramesReceived: number;
  /** Other owners' beat values received (each checked), and the node's own beat interval. */
  readonly beatsReceived: number;
  readonly beatMs: number;
  /** Room messages a node did not take, or did not pass on (see MeshStats). */
  readonly messagesRefused: number;
  readonly messagesRefusedUnknownMember: number;
  readonly messagesRefusedOffRoute: number;
  readonly framesShed: number;
  readonly framesDropped: number;
}

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage();
}

function statsOf(index: number, node: SigmeshNode): HostedNodeStats {
  const mesh = node.meshStats();
  const dht = node.dhtStatus();
  return {
    index,
    links: mesh.links,
    dhtSent: dht.messagesSent,
    dhtReceived: dht.messagesReceived,
    dhtQueriesSent: dht.queriesSent,
    routingTable: dht.routingTableSize,
    roomFramesSent: mesh.framesRelayed,
    roomFramesReceived: mesh.roomFramesReceived,
    beatsReceived: mesh.beatsReceived,
    beatMs: mesh.beatMs,
    messagesRefused: mesh.messagesRefused,
    messagesRefusedUnknownMember: mesh.messagesRefusedUnknownMember,
    messagesRefusedOffRoute: mesh.messagesRefusedOffRoute,
    framesShed: mesh.framesShed,
    framesDropped: mesh.framesDropped,
  };
}

serveParent(async (message) => {
  switch (message.type) {
    case 'start': {
      const index = Number(message.index);
      const options = message.options as NodeOptions;
      const node = await startNode({
        ...options,
        host: '127.0.0.1',
        port: 0,
        identity: createEphemeralIdentity(),
      });
      nodes.set(index, node);
      return { port: node.address().port, id: node.id() };
    }
    case 'stats': {
      const reading = {
        nodes: [...nodes].map(([index, node]) => statsOf(index, node)),
        wsFramesSent,
        framesByType: { ...framesByType },
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay.max / 1e6,
      };
      // Each reading covers the event loop's delay since the one before.
      loopDelay.reset();
      return reading;
    }
    case 'memory':
      return { memory: await settledMemory(), nodes: nodes.size, gc: gc !== undefined };
    case 'stop': {
      // A goodbye: the node closes its links and members itself.
      const index = Number(message.index);
      await nodes.get(index)?.stop();
      nodes.delete(index);
      return {};
    }
    default:
      throw new Error(`scale-host-child: unknown request ${String(message.type)}`);
  }
});
