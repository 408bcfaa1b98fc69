import type { AddressBook } from './address-book.js';
import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import type { Presence, PresenceState } from './presence.js';
import type { Contact } from './stored-people.js';
import { timeAgo } from './time-ago.js';

export interface ContactsPanelOptions {
  readonly book: AddressBook;
  readonly presence: Presence;
  readonly call: (key: string, video: boolean) => void;
}

/**
 * Contacts with their fingerprint and presence (online, or offline with when they were last
 * seen), a video and an audio Call button, Block and Remove; and the blocked keys, to unblock.
 */
export class ContactsPanel {
  readonly element: HTMLElement;
  readonly #options: ContactsPanelOptions;
  readonly #list = h('ul', { class: 'person-list contacts' });
  readonly #blocked = h('ul', { class: 'person-list blocked' });
  readonly #blockedFold = h('details', { class: 'blocked-fold' });
  readonly #count = h('span', { class: 'muted' });

  constructor(options: ContactsPanelOptions) {
    this.#options = options;
    const refresh = h(
      'button',
      { type: 'button', class: 'button small', 'data-action': 'refresh-presence' },
      'Refresh',
    );
    refresh.addEventListener('click', () => options.presence.refresh());
    this.#blockedFold.append(h('summary', {}, 'Blocked'), this.#blocked);
    this.element = h(
      'section',
      { class: 'panel contacts-panel', 'aria-label': 'Contacts' },
      h('div', { class: 'panel-head' }, h('h2', {}, 'Contacts ', this.#count), refresh),
      this.#list,
      this.#blockedFold,
    );
  }

  render(): void {
    const { book } = this.#options;
    const contacts = [...book.contacts()].sort((a, b) =>
      (a.name ?? '').localeCompare(b.name ?? ''),
    );
    this.#count.textContent = `(${contacts.length})`;
    replaceChildren(
      this.#list,
      ...contacts.map((contact) => this.#row(contact)),
      contacts.length === 0
        ? h('li', { class: 'empty muted' }, 'No contacts yet: add someone by their link or key.')
        : null,
    );
    const blocked = book.blocked();
    this.#blockedFold.hidden = blocked.length === 0;
    replaceChildren(
      this.#blocked,
      ...blocked.map((person) => {
        const unblock = button('unblock', 'Unblock', 'small', () => book.unblock(person.key));
        return h(
          'li',
          { class: 'person', 'data-key': person.key },
          h('span', { class: 'person-name' }, person.name ?? 'unnamed'),
          fingerprintElement(person.key),
          h('span', { class: 'person-actions' }, unblock),
        );
      }),
    );
  }

  #row(contact: Contact): HTMLElement {
    const { book, presence, call } = this.#options;
    const state = presence.state(contact.key);
    const shown = presenceText(state, contact.lastSeen);
    return h(
      'li',
      {
        class: 'person contact',
        'data-key': contact.key,
        'data-presence': state.status === 'checking' ? state.was : state.status,
        'data-reach': contact.inbox === undefined ? 'public' : 'private',
      },
      h('span', { class: 'person-name' }, contact.name ?? 'unnamed'),
      contact.inbox === undefined
        ? null
        : h(
            'span',
            {
              class: 'muted private-mark',
              title: 'Calls, presence and requests go through their private inbox',
            },
            'private inbox',
          ),
      fingerprintElement(contact.key),
      h('span', { class: `presence presence-${shown.tone}` }, shown.text),
      h(
        'span',
        { class: 'person-actions' },
        button('call-video', 'Video call', 'small primary', () => call(contact.key, true)),
        button('call-audio', 'Audio call', 'small', () => call(contact.key, false)),
        button('block', 'Block', 'small danger', () => {
          if (confirm(`Block ${contact.name ?? 'this contact'}? Their calls will be refused.`))
            book.block(contact.key, contact.name);
        }),
        button('remove', 'Remove', 'small', () => book.removeContact(contact.key)),
      ),
    );
  }
}

function presenceText(
  state: PresenceState,
  lastSeen: number | undefined,
): { text: string; tone: 'ok' | 'wait' | 'bad' } {
  const seen = lastSeen === undefined ? 'never seen online' : `last seen ${timeAgo(lastSeen)}`;
  switch (state.status) {
    case 'online':
      return {
        text: `online · ${Math.round(state.rttMs)} ms${
          state.nodes.length === 0
            ? ''
            : ` · via ${state.nodes.map((url) => hostOf(url)).join(', ')}`
        }`,
        tone: 'ok',
      };
    case 'offline':
      return { text: `offline · ${seen}`, tone: 'bad' };
    case 'checking':
      return { text: state.was === 'online' ? 'online · checking…' : 'checking…', tone: 'wait' };
    default:
      return { text: seen, tone: 'wait' };
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function button(
  action: string,
  label: string,
  style: string,
  onClick: () => void,
): HTMLButtonElement {
  const element = h(
    'button',
    { type: 'button', class: `button ${style}`, 'data-action': action },
    label,
  );
  element.addEventListener('click', onClick);
  return element;
}
