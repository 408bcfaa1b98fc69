import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import { createTestnet, type Testnet, type TestnetOptions } from '../../src/index.js';

/**
 * A testnet for one test: loopback DHT and nodes with cheap PoW, torn down when the test ends,
 * and the test fails if any node logged at warn or above.
 */
export async function startTestnet(t: TestContext, options: TestnetOptions): Promise<Testnet> {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(chunk.toString());
      done();
    },
  });
  const testnet = await createTestnet({
    ...options,
    nodeOptions: {
      logger: pino({ level: 'warn' }, sink),
      powBaseDifficulty: 16,
      powFreeMessages: 1000,
      // Every test client shares 127.0.0.1: the address's own allowance is lifted as well.
      powAddressFreeMessages: 100_000,
      unpaidRequestsPerSecond: 100_000,
      unpaidBurst: 1_000_000,
      ...options.nodeOptions,
    },
  });
  t.after(async () => {
    await testnet.close();
    if (warnings.length > 0) throw new Error(`a node logged warnings:\n${warnings.join('')}`);
  });
  return testnet;
}
