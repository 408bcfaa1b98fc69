import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { createTestnet, type NodeOptions, type Testnet } from '@sigmesh/node';
import { pino } from 'pino';

/**
 * A loopback testnet of `nodes` sigmesh nodes with cheap PoW, waited on until every node lists
 * every other at `/nodes` (clients learn them there), and closed when the test ends.
 */
export async function startMeshTestnet(
  t: TestContext,
  nodes: number,
  nodeOptions: NodeOptions = {},
): Promise<Testnet> {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(chunk.toString());
      done();
    },
  });
  const testnet = await createTestnet({
    nodes,
    nodeOptions: {
      logger: pino({ level: 'warn' }, sink),
      powBaseDifficulty: 64,
      ...nodeOptions,
    },
  });
  t.after(async () => {
    await testnet.close();
    if (warnings.length > 0) throw new Error(`a node logged warnings:\n${warnings.join('')}`);
  });
  const deadline = Date.now() + 20_000;
  for (const node of testnet.nodes) {
    for (;;) {
      const listed = (await (
        await fetch(`${node.url()}/nodes`, { headers: { accept: 'application/json' } })
      ).json()) as {
        nodes: unknown[];
      };
      if (listed.nodes.length >= nodes - 1) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return testnet;
}
