import {
  descriptorSalt,
  encodeNodeDescriptor,
  parseNodeDescriptor,
  utf8,
  type NodeDescriptor,
} from '@sigmesh/protocol';
import type { DhtAddress } from './bootstrap-option.js';
import { DhtOperationError, type DhtClient } from './dht-client.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import type { DiscoveryLogger } from './discovery-logger.js';
import type { Ed25519Signer } from './ed25519-keys.js';
import type { IdentifyNode } from './fetch-node-id.js';
import { signItem } from './signed-item.js';

/** A node found through the DHT whose descriptor verified: a candidate, not yet a trusted peer. */
export interface DiscoveredNode {
  readonly descriptor: NodeDescriptor;
  /** Where the DHT says it is (BEP 5 address: source IP + announced HTTP port). */
  readonly address: DhtAddress | undefined;
  /** BEP 44 seq of the descriptor item. */
  readonly seq: number;
  /** When we last verified it (our clock). */
  readonly seenAt: number;
}

/** What the directory needs from the node. */
export interface NodeDirectoryOptions {
  readonly signer: Ed25519Signer;
  readonly now: () => number;
  readonly log: DiscoveryLogger;
  readonly limits: DiscoveryLimits;
  readonly networkKey: Buffer;
  readonly announcePort: () => number;
  readonly publicUrl: () => string;
  readonly price: () => number;
  readonly version: string;
  readonly identify: IdentifyNode;
  /** Addresses to skip: our own announces, and non-public ones unless allowed. */
  readonly ignore: (address: DhtAddress) => boolean;
}

/** The node's own presence in the DHT and its view of the other nodes. */
export interface NodeDirectory {
  /** BEP 5 announce of our HTTP port on the network key. */
  announce(client: DhtClient): Promise<void>;
  /** Publishes our descriptor with a seq higher than any before; resolves with that seq. */
  publish(client: DhtClient): Promise<number>;
  /** Looks up the network key and returns the nodes whose descriptors verify. */
  lookupNodes(client: DhtClient): Promise<DiscoveredNode[]>;
  /** Fetches and verifies one node's descriptor by its id. */
  lookupDescriptor(
    client: DhtClient,
    id: string,
    address?: DhtAddress,
  ): Promise<DiscoveredNode | undefined>;
  /** Nodes verified recently (within descriptorMaxAgeMs), newest first. */
  known(): DiscoveredNode[];
  /** The URL of the node at a DHT address: its verified descriptor's, else `http://HOST:PORT`. */
  urlAt(address: DhtAddress): string;
}

const SALT = utf8(descriptorSalt);
/** A descriptor stamped further than this in the future is refused (clock skew allowance). */
const MAX_FUTURE_MS = 5 * 60_000;

/** Creates the directory. */
export function createNodeDirectory(options: NodeDirectoryOptions): NodeDirectory {
  const { signer, now, log, limits } = options;
  const seen = new Map<string, DiscoveredNode>();
  let lastSeq = 0;

  function descriptor(): NodeDescriptor {
    return {
      v: 1,
      id: signer.id,
      url: options.publicUrl(),
      port: options.announcePort(),
      price: options.price(),
      version: options.version,
      ts: now(),
    };
  }

  async function putDescriptor(client: DhtClient, seq: number): Promise<number> {
    const item = signItem(signer, SALT, seq, encodeNodeDescriptor(descriptor()));
    await client.putMutable(item);
    lastSeq = seq;
    return seq;
  }

  async function lookupDescriptor(
    client: DhtClient,
    id: string,
    address?: DhtAddress,
  ): Promise<DiscoveredNode | undefined> {
    const k = Buffer.from(id, 'hex');
    if (k.length !== 32) return undefined;
    const item = await client.getMutable(k, SALT);
    if (!item) return undefined;
    const parsed = parseNodeDescriptor(item.v);
    if (!parsed.ok) {
      log.debug({ id, problem: parsed.message }, 'discovery: refused a node descriptor');
      return undefined;
    }
    const d = parsed.value;
    const at = now();
    // The item is signed by k (the DHT client verified it); the descriptor must also name k, be
    // fresh, and agree with the address the DHT gave, or it is someone else's record replayed.
    if (d.id !== id || at - d.ts > limits.descriptorMaxAgeMs || d.ts - at > MAX_FUTURE_MS)
      return undefined;
    if (address && d.port !== address.port) return undefined;
    const node: DiscoveredNode = { descriptor: d, address, seq: item.seq, seenAt: at };
    seen.delete(id);
    seen.set(id, node);
    while (seen.size > limits.maxNodesPerLookup * 4) {
      const oldest = seen.keys().next();
      if (oldest.done === true) break;
      seen.delete(oldest.value);
    }
    return node;
  }

  return {
    async announce(client) {
      await client.announce(options.networkKey, options.announcePort());
    },

    async publish(client) {
      // seq follows the clock so a restarted node needs no stored counter to go on increasing.
      const seq = Math.max(lastSeq + 1, now());
      try {
        return await putDescriptor(client, seq);
      } catch (error) {
        if (!(error instanceof DhtOperationError) || error.failure !== 'seq-stale') throw error;
        // Our clock went back, or another process holds this key: continue after what is stored.
        const current = await client.getMutable(signer.publicKeyRaw, SALT);
        return putDescriptor(client, Math.max(seq, (current?.seq ?? 0) + 1));
      }
    },

    async lookupNodes(client) {
      const addresses = (await client.lookup(options.networkKey, limits.maxNodesPerLookup)).filter(
        (address) => !options.ignore(address),
      );
      const results = await Promise.all(
        addresses.map(async (address) => {
          const id = await options.identify(address);
          if (id === undefined || id === signer.id) return undefined;
          return lookupDescriptor(client, id, address).catch((error: unknown) => {
            log.debug({ id, err: error }, 'discovery: descriptor lookup failed');
            return undefined;
          });
        }),
      );
      return results.filter((node): node is DiscoveredNode => node !== undefined);
    },

    lookupDescriptor,

    known() {
      const cutoff = now() - limits.descriptorMaxAgeMs;
      return [...seen.values()].filter((node) => node.descriptor.ts >= cutoff).reverse();
    },

    urlAt(address) {
      const match = this.known().find(
        (node) => node.address?.host === address.host && node.address.port === address.port,
      );
      return match?.descriptor.url ?? `http://${address.host}:${address.port}`;
    },
  };
}
