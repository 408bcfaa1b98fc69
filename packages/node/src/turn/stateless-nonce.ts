/**
 * Stateless NONCE values (RFC 8489 §9.2: the server picks the nonce's format). A nonce is the
 * expiry time in hex followed by an HMAC of that expiry and the client's IP address, so the
 * server keeps no per-client state and a nonce cannot be moved to another address. Nonces live
 * long (an hour by default): Chromium treats 438 Stale Nonce on Allocate as fatal.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Issues and checks nonces; the key lives only in this process. */
export interface NonceMinter {
  mint(clientIp: string, nowMs: number): string;
  /** 'ok', 'stale' (well-formed and genuine but expired) or 'invalid'. */
  check(nonce: string, clientIp: string, nowMs: number): 'ok' | 'stale' | 'invalid';
}

const NONCE_PATTERN = /^[0-9a-f]{8}[0-9a-f]{24}$/;

/** Makes a minter whose nonces are valid for `lifetimeSeconds`. */
export function createNonceMinter(
  lifetimeSeconds: number,
  key: Uint8Array = randomBytes(32),
): NonceMinter {
  const mac = (expiryHex: string, clientIp: string): Buffer =>
    createHmac('sha256', key).update(`${expiryHex}|${clientIp}`).digest().subarray(0, 12);
  return {
    mint(clientIp, nowMs) {
      const expiry = Math.floor(nowMs / 1000) + lifetimeSeconds;
      const expiryHex = (expiry >>> 0).toString(16).padStart(8, '0');
      return expiryHex + mac(expiryHex, clientIp).toString('hex');
    },
    check(nonce, clientIp, nowMs) {
      if (!NONCE_PATTERN.test(nonce)) return 'invalid';
      const expiryHex = nonce.slice(0, 8);
      const given = Buffer.from(nonce.slice(8), 'hex');
      if (!timingSafeEqual(given, mac(expiryHex, clientIp))) return 'invalid';
      return parseInt(expiryHex, 16) * 1000 > nowMs ? 'ok' : 'stale';
    },
  };
}
