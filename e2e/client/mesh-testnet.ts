import type { TestContext } from 'node:test';
import { createTestnet, type NodeOptions, type Testnet } from '@sigmesh/node';
import { pino } from 'pino';
import {
  spawnNode,
  startProcessDht,
  type NodeProcess,
} from '../../packages/node/test/helpers/node-process.js';

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
  await waitForListings(
    testnet.nodes.map((node) => node.url()),
    nodes - 1,
  );
  return testnet;
}

/**
 * The same loopback testnet as {@link startBrowserTestnet}, but every node is a `sigmesh start`
 * process on a loopback DHT. For tests whose outcome depends on a node's own load: in-process
 * nodes share one event loop with each other and with the test's browser driver, so each would
 * price its clients for the load of all of them. `args` are more `sigmesh start` flags. The nodes
 * find each other as real ones do, through the rooms they announce on the DHT.
 */
export async function startProcessBrowserTestnet(
  t: TestContext,
  nodes: number,
  args: readonly string[] = [],
): Promise<NodeProcess[]> {
  const { bootstrap } = await startProcessDht(t, 5);
  return Promise.all(
    Array.from({ length: nodes }, () =>
      spawnNode(t, {
        args: ['--dht-bootstrap', bootstrap, '--turn-allow-peer', '127.0.0.0/8', ...args],
      }),
    ),
  );
}

/** Waits until every node lists at least `others` other nodes at `/nodes`. */
async function waitForListings(urls: readonly string[], others: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const url of urls) {
    for (;;) {
      const response = await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } });
      const listed = (await response.json()) as { nodes: unknown[] };
      if (listed.nodes.length >= others) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
