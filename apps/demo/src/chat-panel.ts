import { MAX_CHAT_LENGTH } from './app-messages.js';
import { h } from './element.js';

export interface ChatPanelHandlers {
  /** The user sent a chat line. */
  send(text: string): void;
  /** The user picked files to send to everyone. */
  sendFiles(files: readonly File[]): void;
}

/**
 * The conversation: chat lines with their sender, join/leave notes and file transfer cards, and
 * the composer (text box, send button, file picker). All text goes in with textContent.
 */
export class ChatPanel {
  readonly element: HTMLElement;
  readonly #log = h('ol', { class: 'chat-log', 'aria-label': 'Messages' });

  constructor(handlers: ChatPanelHandlers) {
    const input = h('input', {
      type: 'text',
      name: 'message',
      class: 'chat-input',
      placeholder: 'Message',
      autocomplete: 'off',
      maxlength: String(MAX_CHAT_LENGTH),
      'aria-label': 'Message',
    });
    const fileInput = h('input', {
      type: 'file',
      multiple: true,
      class: 'file-input',
      'aria-label': 'Send files',
    });
    const attach = h(
      'label',
      { class: 'button attach', title: 'Send a file to everyone' },
      'File',
      fileInput,
    );
    const form = h(
      'form',
      { class: 'composer' },
      attach,
      input,
      h('button', { type: 'submit', class: 'button primary' }, 'Send'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value;
      if (text.trim() === '') return;
      input.value = '';
      handlers.send(text);
    });
    fileInput.addEventListener('change', () => {
      const files = [...(fileInput.files ?? [])];
      fileInput.value = '';
      if (files.length > 0) handlers.sendFiles(files);
    });
    this.element = h('section', { class: 'chat', 'aria-label': 'Chat' }, this.#log, form);
  }

  addMessage(author: string, text: string, mine: boolean): void {
    this.#append(
      h(
        'li',
        { class: mine ? 'chat-message mine' : 'chat-message' },
        h('span', { class: 'chat-author' }, author),
        h('time', { class: 'chat-time' }, clock()),
        h('p', { class: 'chat-text' }, text),
      ),
    );
  }

  /** A small line in the log: someone joined or left, a call started, … */
  addNote(text: string): void {
    this.#append(h('li', { class: 'chat-note' }, text));
  }

  /** A file transfer card (or any other block) in the log. */
  addItem(item: HTMLElement): void {
    this.#append(h('li', { class: 'chat-item' }, item));
  }

  #append(item: HTMLElement): void {
    const log = this.#log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(item);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}

function clock(): string {
  return new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
