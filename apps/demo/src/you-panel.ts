import type { Identity } from '@sigmesh/client';
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
 * copy button and its QR code, and who may call you.
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
  });
  readonly #qr = h('div', { class: 'qr' });
  readonly #status = h('p', { class: 'people-status muted', role: 'status' });

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
        h('span', {}, 'Your contact link: whoever opens it can add and call you'),
        h('div', { class: 'link-row' }, this.#link, copy),
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

  #showLink(): void {
    const link = contactLinkOf(
      { key: this.#options.identity.publicKey, name: cleanName(this.nameInput.value) },
      this.#options.base,
    );
    if (link === this.#link.value) return;
    this.#link.value = link;
    replaceChildren(this.#qr, qrCanvas(link, 'QR code of your contact link'));
  }
}
