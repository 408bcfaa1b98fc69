import { clientSignalLimits, type PeerSignal } from '@sigmesh/protocol';

/** How long signals wait for company: an offer and its first candidates travel as one post. */
export const SIGNAL_BATCH_MS = 5;

/**
 * Collects outgoing signals and flushes them in order, one flush at a time: everything pushed
 * while a flush is on its way goes out together in the next one (each is a paid post, split into
 * fragments, and a member's price rises with its posts), and a description already waiting is
 * not queued twice. Fewer posts mean less proof-of-work and a lower per-client price.
 */
export class SignalBatcher {
  readonly #flush: (signals: readonly PeerSignal[]) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #waiting: PeerSignal[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = false;
  #closed = false;

  constructor(
    flush: (signals: readonly PeerSignal[]) => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.#flush = flush;
    this.#onError = onError;
  }

  /** True when nothing waits and nothing is on its way. */
  get idle(): boolean {
    return !this.#inFlight && this.#waiting.length === 0;
  }

  push(signal: PeerSignal): void {
    if (this.#closed) return;
    if (this.#waiting.some((waiting) => sameDescription(waiting, signal))) return;
    this.#waiting.push(signal);
    if (!this.#inFlight) this.#timer ??= setTimeout(() => this.#send(), SIGNAL_BATCH_MS);
  }

  /** Sends what is waiting now, or as soon as the flush on its way is done. */
  flushNow(): void {
    clearTimeout(this.#timer);
    this.#send();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#waiting = [];
  }

  #send(): void {
    this.#timer = undefined;
    if (this.#inFlight || this.#closed || this.#waiting.length === 0) return;
    const batch = this.#waiting.splice(0, clientSignalLimits.maxSignalsPerBatch);
    this.#inFlight = true;
    this.#flush(batch)
      .catch(this.#onError)
      .finally(() => {
        this.#inFlight = false;
        this.#send();
      });
  }
}

/** Both the same offer or the same answer (candidates are never the same signal twice). */
function sameDescription(a: PeerSignal, b: PeerSignal): boolean {
  return a.type !== 'candidate' && b.type !== 'candidate' && a.type === b.type && a.sdp === b.sdp;
}
