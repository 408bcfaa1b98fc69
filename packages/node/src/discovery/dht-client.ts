import { createHash } from 'node:crypto';
import type DHT from 'bittorrent-dht';
import type { DhtQueryError, GetResult } from 'bittorrent-dht';
import type { DhtAddress } from './bootstrap-option.js';
import { verifyEd25519 } from '../identity/ed25519-verify.js';

/** Why a DHT operation failed, in terms callers act on. */
export type DhtFailure =
  /** A storing node refused with BEP 44 302: it holds an equal or higher seq. */
  | 'seq-stale'
  /** BEP 44 301: compare-and-swap mismatch. */
  | 'cas-mismatch'
  /** Nobody to ask, or nobody answered. */
  | 'unavailable'
  /** The operation outlived its time limit. */
  | 'timeout';

/** A failed DHT operation with a reason the proxy maps to an error code. */
export class DhtOperationError extends Error {
  override readonly name = 'DhtOperationError';
  constructor(
    readonly failure: DhtFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A BEP 44 mutable put, with the signature already made. */
export interface SignedPut {
  readonly k: Uint8Array;
  readonly salt: Uint8Array;
  readonly seq: number;
  readonly v: Uint8Array;
  readonly sig: Uint8Array;
  readonly cas?: number;
}

/** A verified mutable item as read from the DHT. */
export interface FoundItem {
  readonly k: Uint8Array;
  readonly salt: Uint8Array;
  readonly seq: number;
  readonly v: Uint8Array;
  readonly sig: Uint8Array;
}

/**
 * A promise-shaped face of one bittorrent-dht instance, every call bounded by `timeoutMs`.
 * It also handles the library's pitfalls that belong at this level: an empty salt must be left
 * out (the library signs `4:salt0:` for an empty Buffer), and mutable gets need `verify`,
 * `salt` and `{ cache: false }` or they answer from the local store.
 */
export interface DhtClient {
  readonly dht: DHT;
  /** Nodes in the routing table. */
  tableSize(): number;
  /** Destroys the DHT and fails every pending call at once (`unavailable`). */
  close(): Promise<void>;
  /** BEP 5 announce of `port` (not implied: the UDP port is not our HTTP port) under `key`. */
  announce(key: Buffer, port: number): Promise<number>;
  /**
   * BEP 5 lookup: distinct peers for `key`, at most `max`. `onPeer` sees each one as it arrives:
   * the lookup itself only ends after its slowest query, and every dead node on the path costs a
   * full query timeout.
   */
  lookup(key: Buffer, max: number, onPeer?: (peer: DhtAddress) => void): Promise<DhtAddress[]>;
  /** BEP 44 mutable get of the newest verified item, or undefined. */
  getMutable(k: Uint8Array, salt: Uint8Array): Promise<FoundItem | undefined>;
  /** BEP 44 mutable put; resolves with the number of nodes that stored it. */
  putMutable(item: SignedPut): Promise<number>;
}

/** Wraps `dht` (already created with `verify`) with per-call time limits. */
export function createDhtClient(dht: DHT, timeoutMs: number): DhtClient {
  // The library reports every lookup's peers as one 'peer' event stream: one listener dispatches
  // them by key, so concurrent lookups do not pile up listeners.
  const lookups = new Map<string, Set<(peer: DhtAddress) => void>>();
  const bounded = createBounded(timeoutMs);
  dht.on('peer', (peer, infoHash) => {
    for (const listener of lookups.get(infoHash.toString('hex')) ?? []) listener(peer);
  });
  return {
    dht,
    tableSize: () => dht.nodes.count(),

    close: () =>
      new Promise<void>((resolve) => {
        // destroy() cancels in-flight queries, but a lookup cut off that way never calls back:
        // fail every pending call now instead of at its time limit.
        bounded.cancelAll('the DHT was stopped');
        dht.destroy(resolve);
      }),

    announce: (key, port) =>
      bounded('announce', (resolve, reject) => {
        dht.announce(key, port, (error, count) =>
          error ? reject(toFailure(error)) : resolve(count ?? 0),
        );
      }),

    lookup: (key, max, onNew) => {
      const found = new Map<string, DhtAddress>();
      const hex = key.toString('hex');
      let abort: (() => void) | undefined;
      let finish: (() => void) | undefined;
      const onPeer = (peer: DhtAddress): void => {
        const id = `${peer.host}:${peer.port}`;
        if (found.size >= max || found.has(id)) return;
        const address = { host: peer.host, port: peer.port };
        found.set(id, address);
        onNew?.(address);
        if (found.size >= max) {
          abort?.();
          finish?.();
        }
      };
      const listeners = lookups.get(hex) ?? new Set();
      listeners.add(onPeer);
      lookups.set(hex, listeners);
      // A lookup that found something and then timed out still found it: resolve with the peers.
      return bounded<DhtAddress[]>('lookup', (resolve, reject) => {
        finish = () => resolve([...found.values()]);
        abort = dht.lookup(key, (error) => {
          if (error && found.size === 0) reject(toFailure(error));
          else resolve([...found.values()]);
        });
      })
        .catch((error: unknown) => {
          if (error instanceof DhtOperationError && error.failure === 'timeout' && found.size > 0)
            return [...found.values()];
          throw error;
        })
        .finally(() => {
          abort?.();
          listeners.delete(onPeer);
          if (listeners.size === 0 && lookups.get(hex) === listeners) lookups.delete(hex);
        });
    },

    getMutable: (k, salt) => {
      const target = mutableTarget(k, salt);
      return bounded('get', (resolve, reject) => {
        const options =
          salt.length > 0
            ? { verify: verifyForDht, salt: Buffer.from(salt), cache: false }
            : { verify: verifyForDht, cache: false };
        dht.get(target, options, (error, result) => {
          if (error) return reject(toFailure(error));
          resolve(toFound(result, k, salt));
        });
      });
    },

    putMutable: (item) =>
      bounded('put', (resolve, reject) => {
        const options = {
          k: Buffer.from(item.k),
          v: Buffer.from(item.v),
          seq: item.seq,
          sig: Buffer.from(item.sig),
          ...(item.salt.length > 0 ? { salt: Buffer.from(item.salt) } : {}),
          ...(item.cas === undefined ? {} : { cas: item.cas }),
        };
        try {
          dht.put(options, (error, _target, stored) =>
            error ? reject(toFailure(error)) : resolve(stored ?? 0),
          );
        } catch (error) {
          // put() throws synchronously on malformed options; callers validate first, so this is a bug.
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }),
  };
}

/**
 * Signatures of mutable items already verified, by signature: every node that answers a get
 * returns the same signed item, and bittorrent-dht checks each reply (a node lookup met one
 * descriptor 5–6 times). An entry is used only for the very same key and message; beyond
 * {@link MAX_VERIFIED_ITEMS} (≈ 1 KB each at most) the cache starts over.
 */
const verifiedItems = new Map<string, { readonly publicKey: Buffer; readonly message: Buffer }>();
const MAX_VERIFIED_ITEMS = 512;

/** The `verify` bittorrent-dht calls for every mutable item it stores or reads. */
export function verifyForDht(signature: Buffer, message: Buffer, publicKey: Buffer): boolean {
  if (signature.length !== 64) return false;
  const id = signature.toString('base64');
  const known = verifiedItems.get(id);
  if (known !== undefined && known.publicKey.equals(publicKey) && known.message.equals(message))
    return true;
  if (!verifyEd25519(publicKey, message, signature)) return false;
  if (verifiedItems.size >= MAX_VERIFIED_ITEMS) verifiedItems.clear();
  verifiedItems.set(id, { publicKey: Buffer.from(publicKey), message: Buffer.from(message) });
  return true;
}

/** `sha1(k ‖ salt)`, the BEP 44 target. */
export function mutableTarget(k: Uint8Array, salt: Uint8Array): Buffer {
  return createHash('sha1')
    .update(Buffer.concat([k, salt]))
    .digest();
}

function toFound(result: GetResult | null, k: Uint8Array, salt: Uint8Array): FoundItem | undefined {
  // The library verified the signature and the target already; the shape is still checked.
  if (!result?.k || !result.sig || typeof result.seq !== 'number' || !Buffer.isBuffer(result.v))
    return undefined;
  if (!result.k.equals(Buffer.from(k))) return undefined;
  return {
    k: new Uint8Array(result.k),
    salt,
    seq: result.seq,
    v: new Uint8Array(result.v),
    sig: new Uint8Array(result.sig),
  };
}

function toFailure(error: DhtQueryError): DhtOperationError {
  if (error.code === 302) return new DhtOperationError('seq-stale', error.message);
  if (error.code === 301) return new DhtOperationError('cas-mismatch', error.message);
  return new DhtOperationError('unavailable', error.message);
}

/** Runs DHT calls with a time limit each, and can cut every pending one off at once. */
interface Bounded {
  <T>(
    what: string,
    run: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
  ): Promise<T>;
  cancelAll(reason: string): void;
}

function createBounded(timeoutMs: number): Bounded {
  const pending = new Set<(error: Error) => void>();
  const bounded = <T>(
    what: string,
    run: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
  ): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        pending.delete(fail);
      };
      const fail = (error: Error): void => {
        finish();
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(new DhtOperationError('timeout', `DHT ${what} took longer than ${timeoutMs} ms`)),
        timeoutMs,
      );
      timer.unref();
      pending.add(fail);
      run((value) => {
        finish();
        resolve(value);
      }, fail);
    });
  return Object.assign(bounded, {
    cancelAll(reason: string) {
      for (const fail of [...pending]) fail(new DhtOperationError('unavailable', reason));
    },
  });
}
