import type { AddressBook } from './address-book.js';
import { button } from './contacts-panel.js';
import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { timeAgo } from './time-ago.js';

/**
 * People met in rooms who joined with a lasting identity (the room's `peer-join` gives the key,
 * their `hello` the name), newest first, each with Add.
 */
export class KnownPeersPanel {
  readonly element: HTMLElement;
  readonly #book: AddressBook;
  readonly #list = h('ul', { class: 'person-list known-peers' });

  constructor(book: AddressBook) {
    this.#book = book;
    this.element = h(
      'section',
      { class: 'panel known-panel', 'aria-label': 'Known peers' },
      h('h2', {}, 'Known peers'),
      h('p', { class: 'muted' }, 'People you met in rooms. Compare fingerprints before adding.'),
      this.#list,
    );
  }

  render(): void {
    const peers = this.#book.knownPeers();
    replaceChildren(
      this.#list,
      ...peers.map((peer) =>
        h(
          'li',
          { class: 'person known-peer', 'data-key': peer.key },
          h('span', { class: 'person-name' }, peer.name ?? 'unnamed'),
          fingerprintElement(peer.key),
          h('span', { class: 'muted' }, `in ${peer.room}, ${timeAgo(peer.seenAt)}`),
          h(
            'span',
            { class: 'person-actions' },
            button('add', 'Add', 'small primary', () => this.#book.addContact(peer.key, peer.name)),
          ),
        ),
      ),
      peers.length === 0 ? h('li', { class: 'empty muted' }, 'Nobody yet.') : null,
    );
  }
}
