import { h } from './element.js';

export interface TransferCardOptions {
  readonly direction: 'in' | 'out';
  readonly name: string;
  readonly size: number;
  /** "from Alice" or "to Bob, Carol". */
  readonly peers: string;
  readonly onCancel: () => void;
}

/** The card a file transfer shows in the chat: progress bar, status, digest, download link. */
export class TransferCard {
  readonly element: HTMLElement;
  readonly #size: number;
  readonly #progress: HTMLProgressElement;
  readonly #percent = h('span', { class: 'transfer-percent' }, '0 %');
  readonly #status = h('p', { class: 'transfer-status' });
  readonly #digest = h('p', { class: 'transfer-digest' });
  readonly #actions = h('div', { class: 'transfer-actions' });
  readonly #cancel: HTMLButtonElement;
  #shownPercent = -1;
  #url: string | undefined;

  constructor(options: TransferCardOptions) {
    this.#size = options.size;
    this.#progress = h('progress', {
      max: String(Math.max(options.size, 1)),
      value: '0',
      'aria-label': `Progress of ${options.name}`,
    });
    this.#cancel = h(
      'button',
      { type: 'button', class: 'button small', 'data-action': 'cancel' },
      'Cancel',
    );
    this.#cancel.addEventListener('click', () => options.onCancel());
    this.#actions.append(this.#cancel);
    this.element = h(
      'div',
      { class: 'transfer', 'data-direction': options.direction, 'data-status': 'active' },
      h(
        'div',
        { class: 'transfer-head' },
        h(
          'span',
          { class: 'transfer-icon', 'aria-hidden': 'true' },
          options.direction === 'in' ? '↓' : '↑',
        ),
        h('span', { class: 'transfer-name' }, options.name),
        h('span', { class: 'transfer-size' }, formatBytes(options.size)),
      ),
      h('p', { class: 'transfer-peers' }, options.peers),
      h('div', { class: 'transfer-bar' }, this.#progress, this.#percent),
      this.#status,
      this.#digest,
      this.#actions,
    );
    this.status('starting…');
  }

  /** Bytes done so far; the DOM is touched only when the whole percentage changes. */
  progress(bytes: number): void {
    const percent = this.#size === 0 ? 100 : Math.floor((bytes / this.#size) * 100);
    if (percent === this.#shownPercent) return;
    this.#shownPercent = percent;
    this.#progress.value = this.#size === 0 ? 1 : bytes;
    this.#percent.textContent = `${percent} %`;
  }

  status(text: string): void {
    this.#status.textContent = text;
  }

  digest(hex: string): void {
    this.#digest.textContent = `SHA-256 ${hex}`;
    this.#digest.dataset.sha256 = hex;
  }

  /** Finished well: a ✓ and the text. */
  succeed(text: string): void {
    this.progress(this.#size);
    this.#finish('done', `✓ ${text}`);
  }

  fail(text: string): void {
    this.#finish('failed', `✗ ${text}`);
  }

  /** A link that saves the received file (a Blob URL, revoked by {@link dispose}). */
  offerDownload(blob: Blob, name: string): void {
    this.#url = URL.createObjectURL(blob);
    this.#actions.append(
      h('a', { class: 'button small primary', href: this.#url, download: name }, 'Save file'),
    );
  }

  get finished(): boolean {
    return this.element.dataset.status !== 'active';
  }

  dispose(): void {
    if (this.#url !== undefined) URL.revokeObjectURL(this.#url);
  }

  #finish(status: 'done' | 'failed', text: string): void {
    this.element.dataset.status = status;
    this.#cancel.remove();
    this.status(text);
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]!}`;
}
