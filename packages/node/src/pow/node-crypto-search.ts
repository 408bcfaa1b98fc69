import { createHash } from 'node:crypto';
import type { PowSearch } from '@sigmesh/protocol';

/**
 * A PoW search with node:crypto (OpenSSL), reusing the prefix's hash state: faster than the
 * portable noble search in Node. Used by the CLI and Node clients.
 */
export const nodeCryptoSearch: PowSearch = (prefix, target, start, end) => {
  const base = createHash('sha256').update(prefix);
  const counterBytes = Buffer.alloc(8);
  for (let counter = start; counter < end; counter++) {
    counterBytes.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 0);
    counterBytes.writeUInt32BE(counter >>> 0, 4);
    if (base.copy().update(counterBytes).digest().readUInt32BE(0) <= target) return counter;
  }
  return -1;
};
