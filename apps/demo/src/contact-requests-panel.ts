import type { AddressBook } from './address-book.js';
import { button } from './contacts-panel.js';
import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { timeAgo } from './time-ago.js';

/** A contact request as the app shows it (from the client's `request` event). */
export interface IncomingRequest {
  readonly from: string;
  readonly name: string | undefined;
  readonly text: string | undefined;
  readonly at: number;
}

/** Requests received while the app is open: Accept adds the contact, Ignore forgets it. */
export class ContactRequestsPanel {
  readonly element: HTMLElement;
  readonly #book: AddressBook;
  readonly #requests = new Map<string, IncomingRequest>();
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

  add(request: IncomingRequest): void {
    if (this.#book.isBlocked(request.from)) return;
    this.#requests.delete(request.from);
    this.#requests.set(request.from, request);
    this.render();
  }

  render(): void {
    const requests = [...this.#requests.values()].reverse();
    replaceChildren(
      this.#list,
      ...requests.map((request) => {
        const done = (): void => {
          this.#requests.delete(request.from);
          this.render();
        };
        return h(
          'li',
          { class: 'person request', 'data-from': request.from },
          h('span', { class: 'person-name' }, request.name ?? 'unnamed'),
          fingerprintElement(request.from),
          h('span', { class: 'muted' }, timeAgo(request.at)),
          request.text === undefined ? null : h('q', { class: 'request-text' }, request.text),
          h(
            'span',
            { class: 'person-actions' },
            this.#book.isContact(request.from)
              ? h('span', { class: 'muted' }, 'a contact already')
              : button('accept-request', 'Accept', 'small primary', () => {
                  this.#book.addContact(request.from, request.name);
                  done();
                }),
            button('ignore-request', 'Ignore', 'small', done),
          ),
        );
      }),
      requests.length === 0 ? h('li', { class: 'empty muted' }, 'None.') : null,
    );
  }
}
