import type { ContactCard, Identity } from '@sigmesh/client';
import { MAX_NAME_LENGTH } from './app-messages.js';
import { cleanName, contactLinkOf } from './contact-link.js';
import { h, replaceChildren } from './element.js';
import { qrCanvas } from './qr-code.js';

export interface YouPanelOptions {
  readonly identity: Identity;
  readonly name: string;
  /** The app's address (`location.origin + location.pathname`): links start with it. */
  readonly base: string;
  readonly acceptFrom: 'anyone' | 'contacts';
  readonly nameChanged: (name: string) => void;
  readonly acceptFromChanged: (value: 'anyone' | 'contacts') => void;
  readonly info: (text: string) => void;
}

/**
 * You: your name (the one field for rooms and calls), your fingerprint, your contact link with a
 * copy button and its QR code, and who may call you. The link is made from `people.card()`, so it
 * carries your private inbox: it shows once the people session is connected.
 */
export class YouPanel {
  readonly element: HTMLElement;
  readonly nameInput: HTMLInputElement;
  readonly #options: YouPanelOptions;
  readonly #link = h('input', {
    type: 'text',
    class: 'contact-link',
    readonly: true,
    'aria-label': 'Your contact link',
    placeholder: 'shown once you are reachable for calls',
  });
  readonly #qr = h('div', { class: 'qr' });
  readonly #status = h('p', { class: 'people-status muted', role: 'status' });
  readonly #copy: HTMLButtonElement;
  /** Your key and private inbox, from `people.card()`; undefined until connected. */
  #card: ContactCard | undefined;

  constructor(options: YouPanelOptions) {
    this.#options = options;
    this.nameInput = h('input', {
      type: 'text',
      name: 'name',
      form: 'join-form',
      maxlength: String(MAX_NAME_LENGTH),
      autocomplete: 'nickname',
      required: true,
      placeholder: 'how others see you',
    });
    this.nameInput.value = options.name;
    let pending: ReturnType<typeof setTimeout> | undefined;
    this.nameInput.addEventListener('input', () => {
      this.#showLink();
      clearTimeout(pending);
      pending = setTimeout(() => options.nameChanged(this.nameInput.value.trim()), 800);
    });
    const copy = h(
      'button',
      { type: 'button', class: 'button small', 'data-action': 'copy-contact-link' },
      'Copy',
    );
    copy.disabled = true;
    this.#copy = copy;
    copy.addEventListener('click', () => {
      const link = this.#link.value;
      navigator.clipboard.writeText(link).then(
        () => options.info('Your contact link is copied.'),
        () => {
          this.#link.select();
          options.info('Copy the selected link.');
        },
      );
    });
    const onlyContacts = h('input', { type: 'checkbox', name: 'only-contacts' });
    onlyContacts.checked = options.acceptFrom === 'contacts';
    onlyContacts.addEventListener('change', () =>
      options.acceptFromChanged(onlyContacts.checked ? 'contacts' : 'anyone'),
    );
    this.element = h(
      'section',
      { class: 'panel you', 'aria-label': 'You' },
      h('h2', {}, 'You'),
      h('label', { class: 'field' }, 'Your name', this.nameInput),
      h(
        'p',
        { class: 'identity-line' },
        'Your fingerprint ',
        h('code', { class: 'fingerprint self-fingerprint' }, options.identity.fingerprint),
      ),
      h(
        'div',
        { class: 'field' },
        h('span', {}, 'Your contact link'),
        h('div', { class: 'link-row' }, this.#link, copy),
        h(
          'p',
          { class: 'muted link-note' },
          'It lets whoever opens it add you and reach you privately (the nodes cannot tell who ' +
            'calls you): give it only to people you want as contacts.',
        ),
      ),
      this.#qr,
      h(
        'label',
        { class: 'checkbox' },
        onlyContacts,
        'Only contacts can call me (others are refused and never ring)',
      ),
      this.#status,
    );
    this.#showLink();
  }

  /** Where calls reach you now (or why not). */
  status(text: string, tone: 'ok' | 'wait' | 'bad'): void {
    this.#status.textContent = text;
    this.#status.dataset.tone = tone;
  }

  /** Your card from `people.card()`: the link and QR code carry its private inbox from now on. */
  setCard(card: ContactCard): void {
    this.#card = card;
    this.#showLink();
  }

  #showLink(): void {
    const card = this.#card;
    if (card === undefined) return;
    // The name as typed now (the card's is the one the session had when it was made).
    const link = contactLinkOf(
      { key: card.key, name: cleanName(this.nameInput.value), inbox: card.inbox },
      this.#options.base,
    );
    if (link === this.#link.value) return;
    this.#link.value = link;
    this.#copy.disabled = false;
    replaceChildren(this.#qr, qrCanvas(link, 'QR code of your contact link'));
  }
}
