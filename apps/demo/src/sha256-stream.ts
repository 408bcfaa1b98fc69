import { createSHA256 } from 'hash-wasm';

/**
 * SHA-256 fed piece by piece. WebCrypto's `crypto.subtle.digest` only hashes one buffer, which
 * would need the whole file in memory at once on both ends; this lets a file of any size be
 * hashed as its chunks go by (hash-wasm, the same WebAssembly SHA-256 the client pays PoW with).
 */
export interface Sha256Stream {
  update(bytes: Uint8Array): void;
  /** The digest as 64 lowercase hex characters; call once, at the end. */
  hex(): string;
}

export async function createSha256Stream(): Promise<Sha256Stream> {
  const hasher = await createSHA256();
  hasher.init();
  return {
    update: (bytes) => void hasher.update(bytes),
    hex: () => hasher.digest('hex'),
  };
}
