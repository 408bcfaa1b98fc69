import { POW_PREFIX_BYTES, leadingUint32, writeCounter, type PowSearch } from '@sigmesh/protocol';
import { createSHA256 } from 'hash-wasm';

/**
 * A {@link PowSearch} on hash-wasm's SHA-256 (WebAssembly; the fastest portable SHA-256 measured
 * here, 2–4× @noble/hashes). The 75-byte prefix fills the first 64-byte block, so its state is
 * hashed once per search and every attempt resumes from it (`load`), hashing only the last block.
 */
export async function createHashWasmSearch(): Promise<PowSearch> {
  const hasher = await createSHA256();
  const tail = new Uint8Array(POW_PREFIX_BYTES - 64 + 8);
  return (prefix, target, start, end) => {
    hasher.init();
    hasher.update(prefix.subarray(0, 64));
    const midstate = hasher.save();
    tail.set(prefix.subarray(64), 0);
    const counterAt = POW_PREFIX_BYTES - 64;
    for (let counter = start; counter < end; counter++) {
      writeCounter(tail, counterAt, counter);
      hasher.load(midstate);
      hasher.update(tail);
      if (leadingUint32(hasher.digest('binary')) <= target) return counter;
    }
    return -1;
  };
}
