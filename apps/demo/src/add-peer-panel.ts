import { MAX_NAME_LENGTH } from './app-messages.js';
import { cleanName, parseContactLink, type ContactLink } from './contact-link.js';
import { button } from './contacts-panel.js';
import { describeError } from './describe-error.js';
import { h, replaceChildren } from './element.js';
import { fingerprintElement } from './fingerprints.js';

/** At most this much text in a contact request. */
export const MAX_REQUEST_TEXT = 200;

export interface AddPeerPanelOptions {
  /** Our own key: adding yourself is refused. */
  readonly self: string;
  readonly add: (person: ContactLink) => void;
  /**
   * Sends a contact request (through the link's private inbox when it has one); resolves true
   * when their app acknowledged it.
   */
  readonly request: (person: ContactLink, text: string | undefined) => Promise<boolean>;
}

/**
 * Add a peer by a pasted contact link or bare key (its fingerprint is shown before adding), and
 * send that person a contact request with an optional message.
 */
export class AddPeerPanel {
  readonly element: HTMLElement;
  readonly #options: AddPeerPanelOptions;
  readonly #input = h('input', {
    type: 'text',
    name: 'peer-link',
    placeholder: 'a contact link or key',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  readonly #name = h('input', {
    type: 'text',
    name: 'peer-name',
    maxlength: String(MAX_NAME_LENGTH),
    placeholder: 'name (optional)',
  });
  readonly #text = h('input', {
    type: 'text',
    name: 'request-text',
    maxlength: String(MAX_REQUEST_TEXT),
    placeholder: 'a message with your request (optional)',
  });
  readonly #preview = h('p', { class: 'add-preview muted', role: 'status' });

  constructor(options: AddPeerPanelOptions) {
    this.#options = options;
    this.#input.addEventListener('input', () => this.#showPreview());
    const add = button('add-peer', 'Add contact', 'small primary', () => {
      const person = this.#parsed();
      if (person === undefined) return;
      options.add(person);
      this.#input.value = '';
      this.#name.value = '';
      this.#showPreview();
      this.#preview.textContent =
        person.name === undefined ? 'Contact added.' : `Added ${person.name}.`;
    });
    const send = button('send-request', 'Send contact request', 'small', () => {
      const person = this.#parsed();
      if (person === undefined) return;
      send.disabled = true;
      this.#preview.textContent = 'Sending…';
      options.request(person, this.#text.value.trim() || undefined).then(
        (acknowledged) => {
          send.disabled = false;
          this.#preview.textContent = acknowledged
            ? 'Request delivered.'
            : 'Not delivered: they are offline or do not take requests from you.';
        },
        (error: unknown) => {
          send.disabled = false;
          this.#preview.textContent = `Not sent: ${describeError(error)}`;
        },
      );
    });
    this.element = h(
      'section',
      { class: 'panel add-panel', 'aria-label': 'Add a peer' },
      h('h2', {}, 'Add a peer'),
      this.#input,
      this.#name,
      this.#preview,
      h('div', { class: 'button-row' }, add),
      this.#text,
      h('div', { class: 'button-row' }, send),
    );
  }

  /** Fills the form from a link (the page was opened with `#contact=…`). */
  fill(link: string): void {
    this.#input.value = link;
    this.#showPreview();
  }

  #parsed(): ContactLink | undefined {
    const link = parseContactLink(this.#input.value);
    if (link === undefined) {
      this.#preview.textContent = 'That is not a contact link or key.';
      return undefined;
    }
    if (link.key === this.#options.self) {
      this.#preview.textContent = 'That is your own key.';
      return undefined;
    }
    return { ...link, name: cleanName(this.#name.value) ?? link.name };
  }

  #showPreview(): void {
    const text = this.#input.value.trim();
    const link = parseContactLink(text);
    if (text === '') replaceChildren(this.#preview);
    else if (link === undefined) replaceChildren(this.#preview, 'Not a contact link or key (yet).');
    else {
      if (this.#name.value === '' && link.name !== undefined) this.#name.value = link.name;
      replaceChildren(
        this.#preview,
        'Fingerprint ',
        fingerprintElement(link.key),
        link.inbox === undefined ? null : ' · with their private inbox',
      );
    }
  }
}
