// One sigmesh node in its own process, joined to a loopback DHT: a mesh benchmark runs two of
// these so each node has its own event loop, as on two machines (createTestnet would put both
// nodes, and the DHT, on one event loop).
import {
  createEphemeralIdentity,
  startNode,
  testnetDiscoveryLimits,
  type NodeOptions,
} from '@sigmesh/node';
import { serveParent } from '../lib/child-process.js';

const options = JSON.parse(process.argv[2] ?? '{}') as NodeOptions;
const node = await startNode({
  ...options,
  host: '127.0.0.1',
  port: 0,
  identity: createEphemeralIdentity(),
  turnPort: 0,
  discoveryLimits: testnetDiscoveryLimits,
});

serveParent((message) => {
  switch (message.type) {
    case 'port':
      return Promise.resolve({ port: node.address().port, id: node.id() });
    case 'meshStats':
      return Promise.resolve({ mesh: { ...node.meshStats() }, rooms: { ...node.stats() } });
    default:
      return Promise.reject(new Error(`node-child: unknown request ${String(message.type)}`));
  }
});
