import { isIP } from 'node:net';

// Addresses from the DHT are chosen by strangers. A node on the public DHT must not be steered
// into dialing its own loopback or LAN (DESIGN §8), so those are dropped unless allowed.

const NON_PUBLIC_V4: ReadonlyArray<readonly [number, number]> = [
  [0x00000000, 8], // 0.0.0.0/8 "this network"
  [0x0a000000, 8], // 10/8 private
  [0x64400000, 10], // 100.64/10 carrier-grade NAT
  [0x7f000000, 8], // 127/8 loopback
  [0xa9fe0000, 16], // 169.254/16 link-local
  [0xac100000, 12], // 172.16/12 private
  [0xc0000000, 24], // 192.0.0/24 protocol assignments
  [0xc0a80000, 16], // 192.168/16 private
  [0xc6120000, 15], // 198.18/15 benchmarking
  [0xe0000000, 4], // 224/4 multicast
  [0xf0000000, 4], // 240/4 reserved and broadcast
];

/** True for a globally routable IPv4 address (false for private, loopback, link-local, multicast, reserved or non-IPv4). */
export function isPublicIpv4(host: string): boolean {
  if (isIP(host) !== 4) return false;
  const value = host.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  return !NON_PUBLIC_V4.some(
    ([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
  );
}
