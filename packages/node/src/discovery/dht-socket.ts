import DHT, { type DhtOptions } from 'bittorrent-dht';
import type { DhtBootstrap } from './bootstrap-option.js';
import { verifyForDht } from './dht-client.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import { countingDhtSocket, type DhtTraffic } from './dht-traffic.js';

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
