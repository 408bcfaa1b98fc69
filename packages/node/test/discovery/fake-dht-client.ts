import type DHT from 'bittorrent-dht';
import type { DhtAddress } from '../../src/discovery/bootstrap-option.js';
import {
  DhtOperationError,
  mutableTarget,
  type DhtClient,
  type FoundItem,
  type SignedPut,
} from '../../src/discovery/dht-client.js';
import { verifyItemSignature } from '../../src/discovery/signed-item.js';

/** An in-memory DHT with BEP 5/44 semantics (302 on seq ≤ stored), for unit tests without sockets. */
export interface FakeDht {
  /** A client that announces as `host:port` of the caller. */
  client(host?: string): DhtClient & { readonly announces: string[]; readonly lookups: string[] };
  readonly peers: Map<string, Set<string>>;
  readonly items: Map<string, FoundItem>;
  /** When true, every call fails as unavailable. */
  down: boolean;
}

export function createFakeDht(): FakeDht {
  const peers = new Map<string, Set<string>>();
  const items = new Map<string, FoundItem>();
  const fake: FakeDht = {
    peers,
    items,
    down: false,
    client(host = '127.0.0.1') {
      const announces: string[] = [];
      const lookups: string[] = [];
      const check = (): void => {
        if (fake.down) throw new DhtOperationError('unavailable', 'All queries failed');
      };
      return {
        announces,
        lookups,
        dht: undefined as unknown as DHT,
        tableSize: () => (fake.down ? 0 : 5),
        close: () => Promise.resolve(),
        async announce(key, port) {
          await Promise.resolve();
          check();
          const hex = key.toString('hex');
          announces.push(hex);
          const set = peers.get(hex) ?? new Set<string>();
          set.add(`${host}:${port}`);
          peers.set(hex, set);
          return 1;
        },
        async lookup(key, max, onPeer) {
          await Promise.resolve();
          check();
          lookups.push(key.toString('hex'));
          const found = [...(peers.get(key.toString('hex')) ?? [])]
            .slice(0, max)
            .map((entry): DhtAddress => {
              const [h = '', p = '0'] = entry.split(':');
              return { host: h, port: Number(p) };
            });
          for (const address of found) onPeer?.(address);
          return found;
        },
        async getMutable(k, salt) {
          await Promise.resolve();
          check();
          return items.get(mutableTarget(k, salt).toString('hex'));
        },
        async putMutable(item: SignedPut) {
          await Promise.resolve();
          check();
          if (!verifyItemSignature(item))
            throw new DhtOperationError('unavailable', 'All queries failed');
          const target = mutableTarget(item.k, item.salt).toString('hex');
          const stored = items.get(target);
          if (item.cas !== undefined && stored && stored.seq !== item.cas)
            throw new DhtOperationError('cas-mismatch', '301 CAS mismatch');
          if (stored && !(item.seq > stored.seq))
            throw new DhtOperationError('seq-stale', '302 sequence number less than current');
          items.set(target, {
            k: item.k,
            salt: item.salt,
            seq: item.seq,
            v: item.v,
            sig: item.sig,
          });
          return 3;
        },
      };
    },
  };
  return fake;
}

/** A logger that keeps warnings and errors so tests can assert on them. */
export function recordingLogger(): {
  debug(): void;
  info(): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
  warnings: string[];
  errors: string[];
} {
  const warnings: string[] = [];
  const errors: string[] = [];
  return {
    warnings,
    errors,
    debug() {},
    info() {},
    warn: (_o, m) => warnings.push(m),
    error: (_o, m) => errors.push(m),
  };
}
