/**
 * Per-address shares of TURN resources (allocations, TCP connections). A client is its IPv4
 * address, or the /64 prefix of its IPv6 address: one subscriber usually holds a whole /64, so
 * counting single IPv6 addresses would make the cap free to evade (the same rule as the HTTP
 * side's `clientKey`).
 */
import { formatIp, normaliseIpBytes, parseIp } from './ip-address.js';

/** The key an address's share is counted under; the text itself when it is not an IP literal. */
export function addressShareKey(address: string): string {
  const raw = parseIp(address);
  if (raw === undefined) return address;
  const bytes = normaliseIpBytes(raw);
  if (bytes.length === 4) return formatIp(bytes);
  const prefix = new Uint8Array(16);
  prefix.set(bytes.subarray(0, 8));
  return `${formatIp(prefix)}/64`;
}

/** Counts per key; a key whose count drops to zero is forgotten, so the table holds only users. */
export class AddressCounts {
  private readonly counts = new Map<string, number>();

  /** The current count of `key`. */
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Adds one to `key`. */
  add(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }

  /** Takes one from `key`, forgetting it at zero. */
  remove(key: string): void {
    const next = this.get(key) - 1;
    if (next <= 0) this.counts.delete(key);
    else this.counts.set(key, next);
  }

  /** Forgets every key. */
  clear(): void {
    this.counts.clear();
  }
}
