import type { CallManager } from './call-manager.js';
import { h, replaceChildren } from './element.js';
import type { PeerDirectory, PeerEntry } from './peer-directory.js';

/**
 * Who is in the room: you, then each peer with its name, its connection (connecting, connected
 * directly or through a TURN relay) and a button to call or hang up.
 */
export class PeerList {
  readonly element: HTMLElement;
  readonly #list = h('ul', { class: 'peer-list' });
  readonly #count = h('span', { class: 'peer-count' });
  readonly #selfName: string;
  readonly #peers: PeerDirectory;
  readonly #calls: CallManager;

  constructor(selfName: string, peers: PeerDirectory, calls: CallManager) {
    this.#selfName = selfName;
    this.#peers = peers;
    this.#calls = calls;
    this.element = h(
      'section',
      { class: 'peers', 'aria-label': 'People' },
      h('h2', {}, 'People ', this.#count),
      this.#list,
    );
  }

  render(): void {
    const peers = this.#peers
      .list()
      .sort((a, b) => this.#peers.name(a.id).localeCompare(this.#peers.name(b.id)));
    this.#count.textContent = `(${peers.length + 1})`;
    replaceChildren(
      this.#list,
      h('li', { class: 'peer self' }, h('span', { class: 'peer-name' }, `${this.#selfName} (you)`)),
      ...peers.map((peer) => this.#row(peer)),
      peers.length === 0
        ? h('li', { class: 'peer empty' }, 'Nobody else yet. Share the link to invite someone.')
        : null,
    );
  }

  #row(peer: PeerEntry): HTMLElement {
    const state = connectionText(peer);
    return h(
      'li',
      {
        class: 'peer',
        'data-peer-id': peer.id,
        'data-connection': peer.connection,
        'data-route': peer.route,
        'data-open': String(peer.open),
      },
      h('span', { class: 'peer-name' }, this.#peers.name(peer.id)),
      h('span', { class: `peer-state state-${state.tone}` }, state.text),
      this.#callButton(peer),
    );
  }

  #callButton(peer: PeerEntry): HTMLElement | null {
    if (!peer.open) return null;
    const call = this.#calls.state(peer.id);
    if (call === 'incoming') return null; // answered in the prompt
    const label =
      call === 'active' ? 'Hang up' : call === 'outgoing' ? 'Calling… (cancel)' : 'Call';
    const button = h(
      'button',
      {
        type: 'button',
        class: call === undefined ? 'button small' : 'button small danger',
        'data-action': call === undefined ? 'call' : 'hang-up',
        'aria-label': `${call === undefined ? 'Call' : 'Hang up on'} ${this.#peers.name(peer.id)}`,
      },
      label,
    );
    button.addEventListener('click', () => {
      if (call === undefined) void this.#calls.start(peer.id);
      else this.#calls.hangUp(peer.id);
    });
    return button;
  }
}

function connectionText(peer: PeerEntry): { text: string; tone: 'ok' | 'wait' | 'bad' } {
  switch (peer.connection) {
    case 'connected':
      if (!peer.open) return { text: 'connecting…', tone: 'wait' };
      return {
        text: peer.route === 'unknown' ? 'connected' : `connected · ${peer.route}`,
        tone: 'ok',
      };
    case 'disconnected':
      return { text: 'reconnecting…', tone: 'wait' };
    case 'failed':
      return { text: 'connection failed', tone: 'bad' };
    case 'closed':
      return { text: 'closed', tone: 'bad' };
    default:
      return { text: 'connecting…', tone: 'wait' };
  }
}
