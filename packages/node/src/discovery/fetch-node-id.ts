import { isRecord } from '@sigmesh/protocol';
import type { DhtAddress } from './bootstrap-option.js';

/** Finds the node id (hex ed25519 key) of the sigmesh node at an address, or undefined. */
export type IdentifyNode = (address: DhtAddress) => Promise<string | undefined>;

/**
 * The default {@link IdentifyNode}: BEP 5 gives only an address, so ask the node itself with
 * `GET http://HOST:PORT/?worker=0` (JSON) for its id, then fetch and verify the descriptor signed
 * by that id. A lying node can only name a key whose descriptor it can sign: the answer stays a
 * hint. `?worker=0`: on a host running `sigmesh start --workers N`, worker 0 is the one in the DHT
 * (any other worker would name a key without a descriptor); a single node ignores it.
 */
export function createFetchNodeId(timeoutMs: number): IdentifyNode {
  return async (address) => {
    try {
      const response = await fetch(`http://${address.host}:${address.port}/?worker=0`, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) return undefined;
      const text = await response.text();
      if (text.length > 64 * 1024) return undefined;
      const body: unknown = JSON.parse(text);
      const id = isRecord(body) && isRecord(body.node) ? body.node.id : undefined;
      return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
    } catch {
      return undefined;
    }
  };
}
