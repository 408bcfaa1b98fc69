import {
  encodeDhtItem,
  sigmeshError,
  type DhtGetResult,
  type DhtMutableItem,
  type DhtPutRequest,
  type DhtPutResult,
  type SigmeshError,
} from '@sigmesh/protocol';
import { DhtOperationError, mutableTarget, type DhtClient, type FoundItem } from './dht-client.js';
import { verifyItemSignature } from './signed-item.js';

/** Options of the BEP 44 proxy. */
export interface DhtProxyOptions {
  /** The DHT, or undefined while discovery is stopped. */
  readonly client: () => DhtClient | undefined;
  /** False while the routing table is empty: every call answers DHT_UNAVAILABLE at once. */
  readonly available: () => boolean;
  readonly now: () => number;
  /** How long a found item is served from cache. */
  readonly getCacheMs: number;
  /** How long "not found" is remembered (shorter: a put through another node must show up soon). */
  readonly notFoundCacheMs: number;
  readonly maxCacheEntries: number;
}

/** BEP 44 get/put on behalf of clients; failures are SigmeshErrors with DHT_* codes. */
export interface DhtProxy {
  /** The newest verified item for `k` and `salt`. Rejects DHT_NOT_FOUND, DHT_UNAVAILABLE. */
  get(k: Uint8Array, salt: Uint8Array): Promise<DhtGetResult>;
  /**
   * Forwards a client-signed item (already parsed with `validateSignedItem`; the signature is
   * checked again here so no unverified item ever reaches the DHT). Rejects DHT_SIGNATURE_INVALID,
   * DHT_SEQ_STALE, DHT_CAS_MISMATCH, DHT_UNAVAILABLE.
   */
  put(item: DhtPutRequest): Promise<DhtPutResult>;
  /** Drops every cached answer. */
  clear(): void;
}

interface CacheEntry {
  readonly expires: number;
  readonly item: FoundItem | undefined;
}

/** Creates the proxy core the `/dht-get` and `/dht-put` routes call. */
export function createDhtProxy(options: DhtProxyOptions): DhtProxy {
  const cache = new Map<string, CacheEntry>();

  function remember(target: string, item: FoundItem | undefined): void {
    const ttl = item ? options.getCacheMs : options.notFoundCacheMs;
    cache.delete(target);
    cache.set(target, { expires: options.now() + ttl, item });
    // Map keeps insertion order: the first keys are the oldest.
    for (const key of cache.keys()) {
      if (cache.size <= options.maxCacheEntries) break;
      cache.delete(key);
    }
  }

  function cached(target: string): CacheEntry | undefined {
    const entry = cache.get(target);
    if (entry && entry.expires <= options.now()) {
      cache.delete(target);
      return undefined;
    }
    return entry;
  }

  function requireClient(): DhtClient {
    const client = options.client();
    if (!client || !options.available())
      throw sigmeshError('DHT_UNAVAILABLE', 'this node is not connected to the DHT yet', {
        retryAfter: 5,
      });
    return client;
  }

  async function fetchFresh(
    client: DhtClient,
    item: { k: Uint8Array; salt: Uint8Array },
    target: string,
  ): Promise<FoundItem | undefined> {
    try {
      const found = await client.getMutable(item.k, item.salt);
      remember(target, found);
      return found;
    } catch (error) {
      throw toSigmeshError(error);
    }
  }

  return {
    async get(k, salt) {
      const target = mutableTarget(k, salt).toString('hex');
      const hit = cached(target);
      const item = hit ? hit.item : await fetchFresh(requireClient(), { k, salt }, target);
      if (!item) throw sigmeshError('DHT_NOT_FOUND');
      return { ...encodeDhtItem(item), target };
    },

    async put(item) {
      if (!verifyItemSignature(item)) throw sigmeshError('DHT_SIGNATURE_INVALID');
      const client = requireClient();
      const target = mutableTarget(item.k, item.salt).toString('hex');
      // Read first: storing nodes only report 302 when *every* one refuses, so a newer seq held
      // by some of them would otherwise pass unnoticed. An identical item counts as stored.
      const current = await fetchFresh(client, item, target);
      if (current) {
        if (item.cas !== undefined && current.seq !== item.cas)
          throw sigmeshError(
            'DHT_CAS_MISMATCH',
            `the stored seq is ${current.seq}, not ${item.cas}`,
          );
        if (current.seq === item.seq && sameItem(current, item))
          return { target, seq: item.seq, stored: 0 };
        if (current.seq >= item.seq)
          throw sigmeshError(
            'DHT_SEQ_STALE',
            `the DHT holds seq ${current.seq}; put with a higher seq`,
          );
      }
      let stored: number;
      try {
        stored = await client.putMutable(item);
      } catch (error) {
        throw toSigmeshError(error);
      }
      remember(target, { k: item.k, salt: item.salt, seq: item.seq, v: item.v, sig: item.sig });
      return { target, seq: item.seq, stored };
    },

    clear: () => cache.clear(),
  };
}

function sameItem(a: DhtMutableItem, b: DhtMutableItem): boolean {
  return Buffer.from(a.v).equals(Buffer.from(b.v)) && Buffer.from(a.sig).equals(Buffer.from(b.sig));
}

function toSigmeshError(error: unknown): SigmeshError {
  if (!(error instanceof DhtOperationError))
    return sigmeshError('DHT_UNAVAILABLE', 'the DHT query failed', { cause: error });
  switch (error.failure) {
    case 'seq-stale':
      return sigmeshError(
        'DHT_SEQ_STALE',
        'DHT nodes refused the item: they hold an equal or higher seq (BEP 44 302)',
      );
    case 'cas-mismatch':
      return sigmeshError('DHT_CAS_MISMATCH');
    case 'timeout':
    case 'unavailable':
      return sigmeshError('DHT_UNAVAILABLE', `the DHT did not answer: ${error.message}`, {
        retryAfter: 5,
      });
  }
}
