// A local testnet with the nodes' default pricing in a process of its own (started by the
// pricing benchmarks): its nodes' load is theirs, not the benchmark's clients'.
import { createTestnet } from '@sigmesh/node';
import { serveParent } from '../lib/child-process.js';

const nodes = Number(process.argv[2] ?? '3');
const testnet = await createTestnet({ nodes, nodeOptions: { logLevel: 'silent' } });
const urls = testnet.nodes.map((node) => node.url());

serveParent(async (message) => {
  if (message.type === 'urls') return { urls };
  if (message.type === 'close') {
    await testnet.close();
    return {};
  }
  throw new Error(`testnet-child: unknown request ${String(message.type)}`);
});
