import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import type { DhtAddress, DhtBootstrap } from '../../../src/discovery/bootstrap-option.js';
import type { Discovery, DiscoveryOptions } from '../../../src/discovery/discovery-handle.js';
import { createDiscovery } from '../../../src/discovery/discovery.js';
import { createSigner } from '../../../src/discovery/ed25519-keys.js';
import { createLocalDht, type LocalDht } from '../../../src/discovery/local-dht.js';
import { recordingLogger } from '../../discovery/fake-dht-client.js';

/** Fast limits for loopback: short query timeouts, no background work during a test unless asked. */
export const testLimits = {
  queryTimeoutMs: 500,
  operationTimeoutMs: 5_000,
  tickMs: 60_000,
  bootstrapRetryMinMs: 50,
  bootstrapRetryMaxMs: 200,
} as const;

export interface Member {
  readonly discovery: Discovery;
  readonly id: string;
  /** The fake HTTP port this member announces. */
  readonly port: number;
  readonly log: ReturnType<typeof recordingLogger>;
}

let nextPort = 20_000;

/** Node ids by announced port: stands in for `GET /` of the node at an address. */
export const idsByPort = new Map<number, string>();

/** A discovery on 127.0.0.1 with its own key; stopped when the test ends. */
export async function startMember(
  t: TestContext,
  bootstrap: DhtBootstrap,
  extra: Partial<DiscoveryOptions> = {},
): Promise<Member> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const id = createSigner({ publicKey, privateKey }).id;
  const port = nextPort++;
  idsByPort.set(port, id);
  const log = recordingLogger();
  const discovery = createDiscovery({
    identity: { publicKey, privateKey },
    log,
    bootstrap,
    dhtHost: '127.0.0.1',
    announcePort: port,
    publicUrl: `http://127.0.0.1:${port}`,
    price: () => port,
    version: 'test',
    network: 'sigmesh:test',
    identify: (address: DhtAddress) => Promise.resolve(idsByPort.get(address.port)),
    limits: testLimits,
    ...extra,
  });
  t.after(() => discovery.stop());
  await discovery.start();
  return { discovery, id, port, log };
}

/** A local DHT of `nodes` nodes, closed when the test ends. */
export async function startLocalDht(t: TestContext, nodes: number): Promise<LocalDht> {
  const dht = await createLocalDht({ nodes, timeoutMs: 500 });
  t.after(() => dht.close());
  return dht;
}

/** Resolves once the member's routing table is filled (bounded). */
export async function bootstrapped(member: Member, timeoutMs = 5_000): Promise<void> {
  if (member.discovery.status().bootstrapped) return;
  const signal = AbortSignal.timeout(timeoutMs);
  while (!member.discovery.status().bootstrapped) {
    await once(member.discovery, 'status', { signal });
  }
}

/** A few random bootstrap nodes of the local DHT (not everyone from one seed). */
export function someOf(dht: LocalDht, count = 3): DhtAddress[] {
  return [...dht.bootstrap].sort(() => Math.random() - 0.5).slice(0, count);
}
