import type { Identity } from '@sigmesh/client';
import type { AddressBook } from './address-book.js';
import { AddPeerPanel } from './add-peer-panel.js';
import type { ContactLink } from './contact-link.js';
import { ContactRequestsPanel } from './contact-requests-panel.js';
import { button, ContactsPanel } from './contacts-panel.js';
import { h } from './element.js';
import { fingerprintElement } from './fingerprints.js';
import { renderJoinScreen, type JoinChoice } from './join-screen.js';
import { KnownPeersPanel } from './known-peers-panel.js';
import { MissedCallsPanel } from './missed-calls-panel.js';
import { NoticeBar } from './notice-bar.js';
import type { Presence } from './presence.js';
import type { RoomLink } from './room-link.js';
import { YouPanel } from './you-panel.js';

export interface HomeScreenOptions {
  readonly identity: Identity;
  readonly book: AddressBook;
  readonly presence: Presence;
  /** The app's address, for contact links. */
  readonly base: string;
  readonly name: string;
  readonly roomLink: RoomLink;
  readonly nodes: readonly string[];
  readonly join: (choice: JoinChoice) => Promise<void>;
  readonly call: (key: string, video: boolean) => void;
  /** Sends a contact request to a pasted link or key (through its private inbox when it has one). */
  readonly request: (person: ContactLink, text: string | undefined) => Promise<boolean>;
  readonly nameChanged: (name: string) => void;
}

/**
 * The screen when not in a room or call: you, contacts, missed calls, contact requests, known
 * peers, adding a peer, and the room form. Kept for the whole visit (a room or call replaces it
 * on the page and puts it back after), so what was typed stays.
 */
export class HomeScreen {
  readonly element: HTMLElement;
  readonly notices = new NoticeBar();
  readonly you: YouPanel;
  readonly #requests: ContactRequestsPanel;
  readonly #contacts: ContactsPanel;
  readonly #known: KnownPeersPanel;
  readonly #missed: MissedCallsPanel;
  readonly #add: AddPeerPanel;
  readonly #offer = h('div', { class: 'offers' });
  readonly #book: AddressBook;
  readonly #self: string;

  constructor(options: HomeScreenOptions) {
    const { book, presence } = options;
    this.#book = book;
    this.#self = options.identity.publicKey;
    this.you = new YouPanel({
      identity: options.identity,
      name: options.name,
      base: options.base,
      acceptFrom: book.acceptFrom,
      nameChanged: options.nameChanged,
      acceptFromChanged: (value) => book.setAcceptFrom(value),
      info: (text) => this.notices.info(text),
    });
    this.#contacts = new ContactsPanel({ book, presence, call: options.call });
    this.#known = new KnownPeersPanel(book);
    this.#missed = new MissedCallsPanel(book, options.call);
    this.#requests = new ContactRequestsPanel(book);
    this.#add = new AddPeerPanel({
      self: options.identity.publicKey,
      add: (person) => this.#addContact(person),
      request: options.request,
    });
    const join = renderJoinScreen({
      link: options.roomLink,
      nameInput: this.you.nameInput,
      nodes: options.nodes,
      join: options.join,
    });
    this.element = h(
      'main',
      { class: 'home' },
      h(
        'header',
        { class: 'home-head' },
        h('h1', {}, 'sigmesh ', h('span', { class: 'muted' }, 'people and rooms')),
      ),
      this.notices.element,
      this.#offer,
      h(
        'div',
        { class: 'home-grid' },
        h('div', { class: 'home-column' }, this.you.element, join),
        h(
          'div',
          { class: 'home-column' },
          this.#contacts.element,
          this.#missed.element,
          this.#requests.element,
          this.#add.element,
          this.#known.element,
        ),
      ),
    );
    book.onChange(() => this.render());
    this.render();
  }

  render(): void {
    this.#contacts.render();
    this.#known.render();
    this.#missed.render();
    this.#requests.render();
  }

  /** Presence changed: only the contacts list moves. */
  renderContacts(): void {
    this.#contacts.render();
  }

  /** The page was opened with someone's contact link: offer to add them. */
  offer(person: ContactLink): void {
    if (person.key === this.#self) {
      this.notices.info('That link is your own.');
      return;
    }
    const known = this.#book.contact(person.key);
    const add = button(
      'accept-offer',
      known === undefined ? 'Add' : 'Update name',
      'primary',
      () => {
        this.#addContact(person);
        box.remove();
      },
    );
    const dismiss = button('dismiss-offer', 'Not now', '', () => box.remove());
    const box = h(
      'div',
      { class: 'panel contact-offer', role: 'dialog', 'data-key': person.key },
      h(
        'p',
        { class: 'overlay-title' },
        known === undefined
          ? `Add ${person.name ?? 'this person'} to your contacts?`
          : `${known.name ?? 'This person'} is a contact already.`,
      ),
      h('p', {}, 'Fingerprint ', fingerprintElement(person.key)),
      person.inbox === undefined
        ? null
        : h('p', { class: 'muted' }, 'The link carries their private inbox: calls go there.'),
      h(
        'p',
        { class: 'muted' },
        'Check the fingerprint with them (in person or on a call) before trusting the name.',
      ),
      h('div', { class: 'button-row' }, add, dismiss),
    );
    this.#offer.replaceChildren(box);
  }

  #addContact(person: ContactLink): void {
    this.#book.addContact(person.key, person.name, Date.now(), person.inbox);
    this.notices.info(person.name === undefined ? 'Contact added.' : `${person.name} added.`);
  }
}
