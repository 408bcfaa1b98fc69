import { createHash } from 'node:crypto';
import { initNostrWasm } from 'nostr-wasm';
import { nostrEventHashInput, type NostrEvent } from '@sigmesh/protocol';

/**
 * Checks Nostr events where they enter the mesh. The id is recomputed with node:crypto (about
 * 3 µs); the BIP-340 signature is checked with nostr-wasm, libsecp256k1 compiled to WebAssembly,
 * measured at about 4× @noble/curves 2.x here (bench/nostr/verify-cost.ts; docs/performance.md
 * § Nostr). It loads asynchronously, once per process: upgrades wait for {@link ready}.
 */
export class EventVerifier {
  #wasm: Awaited<ReturnType<typeof initNostrWasm>> | undefined;
  /** Resolves once signatures can be checked. */
  readonly ready: Promise<void>;

  constructor() {
    this.ready = loadWasm().then((wasm) => {
      this.#wasm = wasm;
    });
  }

  /** True once {@link ready} resolved. */
  get loaded(): boolean {
    return this.#wasm !== undefined;
  }

  /** True when `id` is the SHA-256 of the event's serialization (NIP-01). */
  idMatches(event: NostrEvent): boolean {
    return createHash('sha256').update(nostrEventHashInput(event)).digest('hex') === event.id;
  }

  /** True when `sig` is the pubkey's BIP-340 signature of `id` (and the id matches). */
  signatureValid(event: NostrEvent): boolean {
    if (this.#wasm === undefined) throw new Error('the verifier is not loaded yet');
    try {
      // nostr-wasm's event type has mutable tags; it only reads them.
      this.#wasm.verifyEvent(event as WasmEvent);
      return true;
    } catch {
      return false;
    }
  }
}

type WasmEvent = Parameters<Awaited<ReturnType<typeof initNostrWasm>>['verifyEvent']>[0];

let loading: ReturnType<typeof initNostrWasm> | undefined;

/** One WebAssembly instance per process: every node of a testnet shares it. */
function loadWasm(): ReturnType<typeof initNostrWasm> {
  loading ??= initNostrWasm();
  return loading;
}
