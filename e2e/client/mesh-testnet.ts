import type { TestContext } from 'node:test';
import { createTestnet, type NodeOptions, type Testnet } from '@sigmesh/node';
import { pino } from 'pino';

/**
 * A loopback testnet for browser tests: cheap PoW, TURN that relays between loopback peers, and
 * every node listing the others at `/nodes` before the test starts. Closed when the test ends.
 */
export async function startBrowserTestnet(
  t: TestContext,
  nodes = 3,
  options: NodeOptions = {},
): Promise<Testnet> {
  const testnet = await createTestnet({
    nodes,
    nodeOptions: {
      logger: pino({ level: 'error' }),
      powBaseDifficulty: 64,
      turnAllowPeer: ['127.0.0.0/8'],
      ...options,
    },
  });
  t.after(() => testnet.close());
  const deadline = Date.now() + 20_000;
  for (const node of testnet.nodes) {
    for (;;) {
      const response = await fetch(`${node.url()}/nodes`, {
        headers: { accept: 'application/json' },
      });
      const listed = (await response.json()) as { nodes: unknown[] };
      if (listed.nodes.length >= nodes - 1) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return testnet;
}
