import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { overlayLayer } from './overlay-layer.js';

/** How a call we placed ended before it started. */
export type CallOutcome = 'declined' | 'busy' | 'refused' | 'unanswered' | 'cancelled' | 'failed';

/** What the user reads for each outcome, from the client's error code. */
export function outcomeOf(code: unknown): CallOutcome {
  switch (code) {
    case 'CALL_DECLINED':
      return 'declined';
    case 'CALL_BUSY':
      return 'busy';
    case 'CALL_REFUSED':
      return 'refused';
    case 'CALL_UNANSWERED':
      return 'unanswered';
    case 'CALL_CANCELLED':
      return 'cancelled';
    default:
      return 'failed';
  }
}

const OUTCOME_TEXT: Record<CallOutcome, (name: string) => string> = {
  declined: (name) => `${name} declined the call.`,
  busy: (name) => `${name} is in another call.`,
  refused: (name) => `${name} takes calls from contacts only: the call was refused.`,
  unanswered: (name) => `${name} did not answer.`,
  cancelled: () => 'Call cancelled.',
  failed: (name) => `The call to ${name} failed.`,
};

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Calling NAME…" with Cancel; then, if it does not start, why (until closed). */
export class CallingOverlay {
  readonly #dialog: HTMLElement;
  readonly #name: string;

  constructor(name: string, key: string, video: boolean, cancel: () => void) {
    this.#name = name;
    const button = h(
      'button',
      { type: 'button', class: 'button danger', 'data-action': 'cancel-call' },
      'Cancel',
    );
    button.addEventListener('click', () => {
      // Cancelling tells the callee and leaves a missed-call note: it takes a moment.
      button.disabled = true;
      button.textContent = 'Cancelling…';
      cancel();
    });
    this.#dialog = h(
      'div',
      {
        class: 'overlay calling-overlay',
        role: 'dialog',
        'aria-label': 'Calling',
        'data-to': key,
        'data-state': 'calling',
      },
      h('p', { class: 'overlay-kind' }, video ? 'Video call' : 'Audio call'),
      h('p', { class: 'overlay-title' }, `Calling ${name}…`),
      h('p', { class: 'overlay-fingerprint' }, 'Fingerprint ', fingerprintElement(key)),
      h('div', { class: 'overlay-actions' }, button),
    );
    overlayLayer().append(this.#dialog);
  }

  /** The call did not start: says why and offers Close (a cancel closes at once). */
  ended(outcome: CallOutcome, detail?: string): void {
    if (outcome === 'cancelled') {
      this.close();
      return;
    }
    this.#dialog.dataset.state = outcome;
    const close = h('button', { type: 'button', class: 'button', 'data-action': 'close' }, 'Close');
    close.addEventListener('click', () => this.close());
    replaceChildren(
      this.#dialog,
      h(
        'p',
        { class: 'overlay-title', role: 'status' },
        capitalized(OUTCOME_TEXT[outcome](this.#name)),
      ),
      detail === undefined ? null : h('p', { class: 'muted' }, detail),
      h('div', { class: 'overlay-actions' }, close),
    );
    close.focus();
  }

  close(): void {
    this.#dialog.remove();
  }
}
