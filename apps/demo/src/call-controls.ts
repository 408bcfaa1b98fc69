import type { ClientId } from '@sigmesh/client';
import type { CallManager } from './call-manager.js';
import { h, replaceChildren } from './element.js';
import type { PeerDirectory } from './peer-directory.js';

/**
 * Incoming-call prompts (accept / decline) and, during calls, the mute, camera, screen and
 * hang-up buttons. Redrawn by {@link render} whenever the calls change.
 */
export class CallControls {
  readonly element = h('section', { class: 'call-controls', 'aria-label': 'Call controls' });
  readonly #calls: CallManager;
  readonly #peers: PeerDirectory;

  constructor(calls: CallManager, peers: PeerDirectory) {
    this.#calls = calls;
    this.#peers = peers;
  }

  render(): void {
    const calls = this.#calls;
    const prompts = calls.incoming().map((peerId) => this.#prompt(peerId));
    const bar = calls.inCall
      ? h(
          'div',
          { class: 'call-bar' },
          toggle('mute', calls.muted ? 'Unmute' : 'Mute', calls.muted, () => calls.toggleMute()),
          toggle('camera', calls.cameraOff ? 'Camera on' : 'Camera off', calls.cameraOff, () =>
            calls.toggleCamera(),
          ),
          toggle(
            'screen',
            calls.sharingScreen ? 'Stop sharing' : 'Share screen',
            calls.sharingScreen,
            () => void calls.toggleScreen(),
            !calls.active,
          ),
          button('hang-up', 'Hang up', 'danger', () => calls.hangUpAll()),
        )
      : null;
    replaceChildren(this.element, ...prompts, bar);
    this.element.hidden = prompts.length === 0 && bar === null;
  }

  #prompt(peerId: ClientId): HTMLElement {
    return h(
      'div',
      { class: 'call-prompt', role: 'alertdialog', 'data-peer': peerId },
      h('p', {}, `${this.#peers.name(peerId)} is calling…`),
      button('accept', 'Accept', 'primary', () => void this.#calls.accept(peerId)),
      button('decline', 'Decline', 'danger', () => this.#calls.decline(peerId)),
    );
  }
}

function button(action: string, label: string, style: string, onClick: () => void): HTMLElement {
  const element = h(
    'button',
    { type: 'button', class: `button ${style}`, 'data-action': action },
    label,
  );
  element.addEventListener('click', onClick);
  return element;
}

function toggle(
  action: string,
  label: string,
  pressed: boolean,
  onClick: () => void,
  disabled = false,
): HTMLElement {
  const element = h(
    'button',
    {
      type: 'button',
      class: 'button',
      'data-action': action,
      'aria-pressed': String(pressed),
      disabled,
    },
    label,
  );
  element.addEventListener('click', onClick);
  return element;
}
