import { networkInterfaces } from 'node:os';
import type { DhtAddress } from './bootstrap-option.js';
import type { DiscoveryOptions } from './discovery-handle.js';

/** Our own announces come back in lookups: recognise them by a local host and our announced port. */
export function selfMatcher(
  options: DiscoveryOptions,
  announcePort: () => number,
): (address: DhtAddress) => boolean {
  const hosts = new Set(['127.0.0.1', '0.0.0.0']);
  if (options.dhtHost !== undefined) hosts.add(options.dhtHost);
  for (const list of Object.values(networkInterfaces()))
    for (const entry of list ?? []) if (entry.family === 'IPv4') hosts.add(entry.address);
  return (address) => {
    if (address.port !== announcePort()) return false;
    if (hosts.has(address.host)) return true;
    try {
      const url = typeof options.publicUrl === 'string' ? options.publicUrl : options.publicUrl();
      return new URL(url).hostname === address.host;
    } catch {
      return false;
    }
  };
}
