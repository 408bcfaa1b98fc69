// Hosts a testnet (or only its loopback DHT) for bench/mesh/testnet-memory.ts and reports this
// process's memory after full collections. Run with --expose-gc.
import { createLocalDht, createTestnet, type LocalDht, type Testnet } from '@sigmesh/node';
import { sigmeshBenchOptions } from '../lib/bench-servers.js';
import { serveParent } from '../lib/child-process.js';

const gc = (globalThis as { gc?: () => void }).gc;
let testnet: Testnet | undefined;
let dht: LocalDht | undefined;

async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return process.memoryUsage();
}

serveParent(async (message) => {
  switch (message.type) {
    case 'memory':
      return { memory: await settledMemory(), gc: gc !== undefined };
    case 'dht':
      dht = await createLocalDht({ nodes: Number(message.nodes) });
      return {};
    case 'testnet': {
      testnet = await createTestnet({
        nodes: Number(message.nodes),
        dhtNodes: Number(message.dhtNodes),
        nodeOptions: { ...sigmeshBenchOptions, logLevel: 'silent' },
      });
      return { ports: testnet.nodes.map((node) => node.address().port) };
    }
    case 'mesh':
      return {
        links: testnet?.nodes.map((node) => node.meshStats().links) ?? [],
        rooms: testnet?.nodes.map((node) => node.dhtStatus().rooms) ?? [],
      };
    case 'close':
      await testnet?.close();
      await dht?.close();
      return {};
    default:
      throw new Error(`testnet-memory-child: unknown request ${String(message.type)}`);
  }
});
