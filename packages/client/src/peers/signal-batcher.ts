import type { PeerSignal } from '@sigmesh/protocol';

/** How long signals wait for company: an offer and its first candidates travel as one post. */
export const SIGNAL_BATCH_MS = 5;

/**
 * Collects outgoing signals and flushes them as one batch after a short delay, in order, one
 * flush at a time (a batch waits for the previous one to be handed over). Fewer posts mean
 * less proof-of-work and a lower per-client price.
 */
export class SignalBatcher {
  readonly #flush: (signals: readonly PeerSignal[]) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #batch: PeerSignal[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    flush: (signals: readonly PeerSignal[]) => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.#flush = flush;
    this.#onError = onError;
  }

  push(signal: PeerSignal): void {
    this.#batch.push(signal);
    this.#timer ??= setTimeout(() => this.#send(), SIGNAL_BATCH_MS);
  }

  /** Sends what is waiting now (e.g. the end-of-candidates marker came). */
  flushNow(): void {
    clearTimeout(this.#timer);
    this.#send();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#batch = [];
  }

  #send(): void {
    this.#timer = undefined;
    const batch = this.#batch;
    this.#batch = [];
    if (batch.length === 0) return;
    this.#chain = this.#chain.then(() => this.#flush(batch)).catch(this.#onError);
  }
}
