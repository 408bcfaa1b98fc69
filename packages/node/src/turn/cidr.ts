/**
 * CIDR ranges over IP bytes. Pure: parsing returns `undefined` for malformed text, matching
 * compares prefix bits. A bare address is a /32 (or /128).
 */
import { normaliseIpBytes, parseIp } from './ip-address.js';

/** An address range: the network bytes (4 or 16) and the prefix length. */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address. IPv4-mapped IPv6 ranges become IPv4. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text.trim() : text.slice(0, slash).trim());
  if (ip === undefined) return undefined;
  const max = ip.length * 8;
  let prefix = max;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  const normal = normaliseIpBytes(ip);
  if (normal.length === 4 && ip.length === 16) {
    if (prefix < 96) return undefined;
    prefix -= 96;
  }
  return { bytes: normal, prefix };
}

/** True when `ip` (already normalised bytes) lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  if (cidr.bytes.length !== ip.length) return false;
  const whole = cidr.prefix >> 3;
  for (let i = 0; i < whole; i++) if (cidr.bytes[i] !== ip[i]) return false;
  const bits = cidr.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((cidr.bytes[whole] ?? 0) & mask) === ((ip[whole] ?? 0) & mask);
}

/** Parses a list of CIDR strings (comma lists allowed in each entry); returns the bad ones too. */
export function parseCidrList(entries: Iterable<string>): { cidrs: Cidr[]; invalid: string[] } {
  const cidrs: Cidr[] = [];
  const invalid: string[] = [];
  for (const entry of entries) {
    for (const part of entry.split(',')) {
      const text = part.trim();
      if (text === '') continue;
      const cidr = parseCidr(text);
      if (cidr === undefined) invalid.push(text);
      else cidrs.push(cidr);
    }
  }
  return { cidrs, invalid };
}
