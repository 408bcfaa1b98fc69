import { h } from './element.js';

/** How long an informational notice stays; errors stay until dismissed. */
const INFO_MS = 6000;
/** Older notices are dropped past this many. */
const MAX_NOTICES = 5;

/** Errors and notices for the user, above the room (or the join form). */
export class NoticeBar {
  readonly element = h('div', { class: 'notices', role: 'status', 'aria-live': 'polite' });

  /** A problem the user should see; stays until dismissed. */
  error(text: string): void {
    this.#add('error', text);
  }

  info(text: string): void {
    const notice = this.#add('info', text);
    setTimeout(() => notice.remove(), INFO_MS);
  }

  #add(kind: 'error' | 'info', text: string): HTMLElement {
    const close = h(
      'button',
      { type: 'button', class: 'notice-close', 'aria-label': 'Dismiss' },
      '×',
    );
    const notice = h('div', { class: `notice notice-${kind}` }, h('span', {}, text), close);
    close.addEventListener('click', () => notice.remove());
    this.element.append(notice);
    while (this.element.childElementCount > MAX_NOTICES) this.element.firstElementChild?.remove();
    return notice;
  }
}
