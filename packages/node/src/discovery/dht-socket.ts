import DHT, { type DhtOptions } from 'bittorrent-dht';
import type { DhtBootstrap } from './bootstrap-option.js';
import { verifyForDht } from './dht-client.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import { countingDhtSocket, type DhtTraffic } from './dht-traffic.js';

/**
 * Contacts pinged when a new one finds its bucket full. k-rpc builds the routing table with
 * k-bucket's `numberOfNodesToPing` set to its query concurrency (16), so every new querier whose
 * bucket is full made the node ping up to 16 of that bucket's oldest contacts not heard from in
 * 10 s: on 1,000 loopback nodes, 640 of a rendezvous's ≈ 930 queries were these pings
 * (docs/scaling.md). k-bucket's own default, 3, still checks the contacts likeliest to be gone
 * (the oldest) and replaces one that is; lookups keep their concurrency.
 */
export const PINGS_PER_FULL_BUCKET = 3;

/**
 * Creates a bittorrent-dht node with our limits and binds its UDP socket; destroys it again when
 * binding fails, so a failed start leaves nothing open.
 */
export async function openDht(options: {
  readonly bootstrap: DhtBootstrap;
  readonly limits: DiscoveryLimits;
  readonly port: number;
  readonly host: string;
  /** Counts the datagrams the DHT's socket sends and receives. */
  readonly traffic: DhtTraffic;
}): Promise<DHT> {
  const { limits } = options;
  const dhtOptions: DhtOptions = {
    verify: verifyForDht,
    timeout: limits.queryTimeoutMs,
    // Without maxAge, peers announced to us are kept forever: a node gone for days would
    // still be handed out as a room member.
    maxAge: limits.storedPeerMaxAgeMs,
    maxPeers: limits.maxStoredPeers,
    maxValues: limits.maxStoredValues,
    socket: countingDhtSocket(options.traffic),
  };
  if (options.bootstrap === 'none') dhtOptions.bootstrap = false;
  else if (options.bootstrap !== 'mainline') dhtOptions.bootstrap = options.bootstrap;
  const dht = new DHT(dhtOptions);
  dht.nodes.numberOfNodesToPing = PINGS_PER_FULL_BUCKET;
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      dht.once('error', onError);
      dht.listen(options.port, options.host, () => {
        dht.removeListener('error', onError);
        resolve();
      });
    });
  } catch (error) {
    await new Promise<void>((resolve) => dht.destroy(resolve));
    throw error;
  }
  return dht;
}
