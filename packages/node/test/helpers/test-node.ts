import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import {
  createEphemeralIdentity,
  startNode,
  type NodeOptions,
  type SigmeshNode,
} from '../../src/index.js';

/**
 * Starts a node on 127.0.0.1, port 0, with an ephemeral identity and cheap PoW; stops it when
 * the test ends, and fails the test if the node logged anything at warn or above
 * (bittorrent-tracker's test/common.js does the same).
 */
export async function startTestNode(
  t: TestContext,
  options: NodeOptions = {},
): Promise<SigmeshNode> {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(chunk.toString());
      done();
    },
  });
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    identity: createEphemeralIdentity(),
    logger: pino({ level: 'warn' }, sink),
    // Never the public BitTorrent routers from a test: no DHT unless a test passes a local one.
    dhtBootstrap: 'none',
    powBaseDifficulty: 16,
    powFreeMessages: 1000,
    // Every test client shares 127.0.0.1: the address's own allowance is lifted as well.
    powAddressFreeMessages: 100_000,
    unpaidRequestsPerSecond: 100_000,
    unpaidBurst: 1_000_000,
    // A free STUN/TURN port per node, so nodes in one test do not fight over 3478.
    turnPort: 0,
    ...options,
  });
  t.after(async () => {
    await node.stop();
    if (warnings.length > 0) throw new Error(`the node logged warnings:\n${warnings.join('')}`);
  });
  return node;
}
