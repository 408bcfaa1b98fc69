import type { IncomingRing } from '@sigmesh/client';
import { h } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { overlayLayer } from './overlay-layer.js';

export interface RingOverlayOptions {
  readonly ring: IncomingRing;
  /** The name to show: the contact's own if known, else the (unproven) one the ring carries. */
  readonly name: string | undefined;
  readonly isContact: boolean;
  readonly accept: () => void;
  readonly decline: () => void;
}

/**
 * "NAME is calling" with the caller's fingerprint (what proves who it is: the name is only what
 * the caller says), Accept and Decline. Gone when answered or when the caller gives up.
 */
export function showRingOverlay(options: RingOverlayOptions): void {
  const { ring } = options;
  const media = ring.media.video ? 'Video call' : 'Audio call';
  const accept = h(
    'button',
    { type: 'button', class: 'button primary', 'data-action': 'accept-ring' },
    'Accept',
  );
  const decline = h(
    'button',
    { type: 'button', class: 'button danger', 'data-action': 'decline-ring' },
    'Decline',
  );
  const dialog = h(
    'div',
    {
      class: 'overlay ring-overlay',
      role: 'alertdialog',
      'aria-label': 'Incoming call',
      'data-from': ring.from,
    },
    h('p', { class: 'overlay-kind' }, media),
    h('p', { class: 'overlay-title' }, `${options.name ?? 'Someone'} is calling…`),
    options.isContact ? null : h('p', { class: 'muted' }, 'Not one of your contacts.'),
    h('p', { class: 'overlay-fingerprint' }, 'Fingerprint ', fingerprintElement(ring.from)),
    h('div', { class: 'overlay-actions' }, accept, decline),
  );
  const off = ring.on('cancel', () => dialog.remove());
  const answered = (then: () => void) => () => {
    off();
    dialog.remove();
    then();
  };
  accept.addEventListener('click', answered(options.accept));
  decline.addEventListener('click', answered(options.decline));
  overlayLayer().append(dialog);
  accept.focus();
}
