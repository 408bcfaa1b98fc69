/**
 * Relay sockets (RFC 8656 §7.2: one UDP socket per allocation, bound on the relay host). The
 * kernel picks the port; EVEN-PORT is honoured by retrying until the port is even.
 */
import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { isWildcard } from './turn-options.js';

/**
 * A `lookup` for sockets that only ever send to IP literals: answers synchronously, skipping
 * dns.lookup's per-datagram `isIP` check and `nextTick` hop (a measurable share of the relay
 * hot path).
 */
export function literalLookup(
  address: string,
  _options: unknown,
  callback: (error: Error | null, address: string, family: number) => void,
): void {
  callback(null, address, address.includes(':') ? 6 : 4);
}

const EVEN_PORT_ATTEMPTS = 16;

function bindOnce(family: 4 | 6, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({
      type: family === 4 ? 'udp4' : 'udp6',
      ipv6Only: family === 6,
      lookup: literalLookup,
    });
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ address: host, port: 0, exclusive: true }, () => {
      socket.off('error', onError);
      // Until its owner listens for errors, an unheard 'error' event would end the process.
      socket.on('error', () => undefined);
      resolve(socket);
    });
  });
}

/** Binds a relay socket on `host`; with `evenPort`, only an even port is accepted. */
export async function openRelaySocket(
  family: 4 | 6,
  host: string,
  evenPort: boolean,
): Promise<Socket> {
  for (let attempt = 0; attempt < EVEN_PORT_ATTEMPTS; attempt++) {
    const socket = await bindOnce(family, host);
    if (!evenPort || socket.address().port % 2 === 0) return socket;
    socket.close();
  }
  throw new Error('no even relay port found');
}

/** Concrete local addresses of a family (no link-local IPv6: they need a zone). */
export function interfaceAddresses(family: 4 | 6): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (
        info.family === (family === 4 ? 'IPv4' : 'IPv6') &&
        !info.address.toLowerCase().startsWith('fe80')
      )
        out.push(info.address);
    }
  }
  return out;
}

/** The address to advertise for relay sockets bound on `host`: itself, or a non-internal one. */
export function advertisedRelayIp(host: string, family: 4 | 6): string {
  if (!isWildcard(host)) return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (
        !info.internal &&
        info.family === (family === 4 ? 'IPv4' : 'IPv6') &&
        !info.address.toLowerCase().startsWith('fe80')
      )
        return info.address;
    }
  }
  return family === 4 ? '127.0.0.1' : '::1';
}
