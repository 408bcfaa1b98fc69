import type { AddressBook } from './address-book.js';
import { button } from './contacts-panel.js';
import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { timeAgo } from './time-ago.js';

/** Calls nobody answered here, newest first, with Call back (contacts) and Clear. */
export class MissedCallsPanel {
  readonly element: HTMLElement;
  readonly #book: AddressBook;
  readonly #call: (key: string, video: boolean) => void;
  readonly #list = h('ul', { class: 'person-list missed-calls' });
  readonly #clear: HTMLButtonElement;

  constructor(book: AddressBook, call: (key: string, video: boolean) => void) {
    this.#book = book;
    this.#call = call;
    this.#clear = button('clear-missed', 'Clear', 'small', () => book.clearMissed());
    this.element = h(
      'section',
      { class: 'panel missed-panel', 'aria-label': 'Missed calls' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Missed calls'), this.#clear),
      this.#list,
    );
  }

  render(): void {
    const missed = [...this.#book.missedCalls()].reverse();
    this.#clear.hidden = missed.length === 0;
    replaceChildren(
      this.#list,
      ...missed.map((entry) =>
        h(
          'li',
          { class: 'person missed-call', 'data-from': entry.from, 'data-call': entry.call },
          h(
            'span',
            { class: 'person-name' },
            this.#book.nameOf(entry.from, entry.name) ?? 'unnamed',
          ),
          fingerprintElement(entry.from),
          h('span', { class: 'muted missed-at' }, timeAgo(entry.at)),
          h(
            'span',
            { class: 'person-actions' },
            this.#book.isContact(entry.from)
              ? button('call-back', 'Call back', 'small', () => this.#call(entry.from, true))
              : null,
          ),
        ),
      ),
      missed.length === 0 ? h('li', { class: 'empty muted' }, 'None.') : null,
    );
  }
}
