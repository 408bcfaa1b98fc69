import type { AddressBook } from './address-book.js';
import { button } from './contacts-panel.js';
import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { timeAgo } from './time-ago.js';

/**
 * Contact requests, newest first, kept in the address book until answered (so a reload keeps
 * them): Accept adds the contact, Ignore forgets the request.
 */
export class ContactRequestsPanel {
  readonly element: HTMLElement;
  readonly #book: AddressBook;
  readonly #list = h('ul', { class: 'person-list requests' });

  constructor(book: AddressBook) {
    this.#book = book;
    this.element = h(
      'section',
      { class: 'panel requests-panel', 'aria-label': 'Contact requests' },
      h('h2', {}, 'Contact requests'),
      this.#list,
    );
  }

  render(): void {
    const book = this.#book;
    const requests = [...book.requests()].reverse();
    replaceChildren(
      this.#list,
      ...requests.map((request) =>
        h(
          'li',
          { class: 'person request', 'data-from': request.from },
          h('span', { class: 'person-name' }, request.name ?? 'unnamed'),
          fingerprintElement(request.from),
          h('span', { class: 'muted' }, timeAgo(request.at)),
          request.text === undefined ? null : h('q', { class: 'request-text' }, request.text),
          h(
            'span',
            { class: 'person-actions' },
            book.isContact(request.from)
              ? h('span', { class: 'muted' }, 'a contact already')
              : button('accept-request', 'Accept', 'small primary', () => {
                  book.addContact(request.from, request.name);
                  book.removeRequest(request.from);
                }),
            button('ignore-request', 'Ignore', 'small', () => book.removeRequest(request.from)),
          ),
        ),
      ),
      requests.length === 0 ? h('li', { class: 'empty muted' }, 'None.') : null,
    );
  }
}
