import { createServer, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PLAIN_POST_HEAD_MAX_BYTES } from '@sigmesh/protocol';
import type { NodeConfig } from '../config/node-options.js';
import { createNode, type NodeOptions, type SigmeshNode } from '../sigmesh-node.js';
import { NodeWorker } from './node-worker.js';
import { parseWorkerMessage, type WorkerMessage } from './worker-messages.js';

/** The largest `POST /dht-put` body (its route's limit). */
const DHT_PUT_MAX_BYTES = 4096;

/** The environment variables the primary gives each worker it forks. */
export const WORKER_INDEX_ENV = 'SIGMESH_WORKER_INDEX';
export const WORKER_PORT_ENV = 'SIGMESH_WORKER_PORT';

/**
 * Creates this process's node as worker `index` of `config.workers`: a full node with its own
 * identity (`<data dir>/worker-<index>`), linked to its siblings as static mesh peers over a
 * private loopback port, sharing the public port with them (Node's cluster). Worker 0 is the
 * host's face: the DHT and the built-in TURN server run there, and `/mesh` dials from other
 * hosts are moved to it; the others have no DHT and mint TURN credentials for worker 0's server
 * with the host's shared secret. Resolves once the primary has told it every sibling's port.
 */
export async function createWorkerNode(
  options: NodeOptions,
  config: NodeConfig,
  env: NodeJS.ProcessEnv,
): Promise<SigmeshNode> {
  const index = Number(env[WORKER_INDEX_ENV]);
  const send = (message: WorkerMessage, socket?: Socket): void => {
    if (socket === undefined) process.send!(message);
    // Kept open until sent, then closed here the usual way, so this worker's HTTP server
    // forgets the connection (the primary holds its own descriptor of it by then).
    else process.send!(message, socket, { keepOpen: true }, () => socket.destroy());
  };
  const worker = new NodeWorker({
    index,
    count: config.workers,
    // A room post in either form, or a /dht-put (at most 4 KiB, dht-routes.ts).
    maxBody: Math.max(config.maxMessageBytes + PLAIN_POST_HEAD_MAX_BYTES, DHT_PUT_MAX_BYTES),
    send,
  });
  const setup = new Promise<Extract<WorkerMessage, { t: 'sigmesh:setup' }>>((resolve) => {
    process.on('message', (raw: unknown, handle: unknown) => {
      const message = parseWorkerMessage(raw);
      if (message?.t === 'sigmesh:setup') resolve(message);
      else if (message?.t === 'sigmesh:handoff' && handle !== undefined)
        worker.accept(handle as Socket, Buffer.from(message.bytes, 'base64'));
    });
  });
  // `exclusive`: this port is this worker's own, not shared through the primary.
  const privateServer = createServer((socket) => worker.sibling(socket));
  const preferred = Number(env[WORKER_PORT_ENV] ?? 0);
  await new Promise<void>((resolve, reject) => {
    privateServer.once('error', reject);
    privateServer.listen({ host: '127.0.0.1', port: preferred, exclusive: true }, resolve);
  });
  const address = privateServer.address();
  if (address === null || typeof address === 'string') throw new Error('no private mesh port');
  send({ t: 'sigmesh:port', port: address.port });
  const { ports, turnSecret } = await setup;

  const baseDir = config.dataDir === '' ? join(homedir(), '.sigmesh') : config.dataDir;
  const siblings = ports.filter((_, i) => i !== index).map((port) => `http://127.0.0.1:${port}`);
  const node = createNode({
    ...options,
    ...workerOverrides(config, index, turnSecret),
    dataDir: join(baseDir, `worker-${index}`),
    meshPeers: [...config.meshPeers, ...siblings],
    worker,
  });
  const stop = node.stop.bind(node);
  return {
    ...node,
    stop: async (stopOptions) => {
      await stop(stopOptions);
      privateServer.close();
    },
  };
}

/** What differs between worker 0 (the host's DHT and TURN) and the others. */
function workerOverrides(config: NodeConfig, index: number, turnSecret: string): NodeOptions {
  const secret = config.turnSecret === '' ? turnSecret : config.turnSecret;
  if (index === 0) return { turnSecret: secret };
  // One UDP socket per host for the DHT and TURN: a TURN allocation is a 5-tuple's state, and
  // the kernel would spread UDP datagrams over workers blindly.
  const builtInTurn = config.turnExternal === '' && config.turnPort > 0;
  return {
    dhtBootstrap: 'none',
    dhtPort: 0,
    turnSecret: secret,
    ...(builtInTurn
      ? { turnExternal: `${turnHost(config)}:${config.turnPort}` }
      : config.turnExternal === ''
        ? { turnPort: -1 }
        : {}),
  };
}

/** The host clients reach worker 0's TURN server at: the public URL's, else the bound one's. */
function turnHost(config: NodeConfig): string {
  if (config.publicUrl !== '') return new URL(config.publicUrl).hostname;
  return config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
}
