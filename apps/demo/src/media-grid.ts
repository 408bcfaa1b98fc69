import { h } from './element.js';

export type MediaKind = 'camera' | 'screen';

/** Who a tile shows: a remote peer's id, or `self` for the local previews. */
export type MediaOwner = string;
export const SELF: MediaOwner = 'self';

/**
 * The video tiles of the calls: one per stream, labelled with its owner and kind. Remote screen
 * shares get a wide tile of their own, apart from the camera. Hidden while there is nothing to show.
 */
export class MediaGrid {
  readonly element = h('section', { class: 'media', 'aria-label': 'Calls', hidden: true });
  readonly #tiles = new Map<string, HTMLElement>();

  /** Shows (or relabels) the tile of `stream`. */
  show(owner: MediaOwner, stream: MediaStream, kind: MediaKind, label: string): void {
    const id = tileKey(owner, stream.id);
    const existing = this.#tiles.get(id);
    if (existing !== undefined) {
      const caption = existing.querySelector('figcaption');
      if (caption !== null) caption.textContent = label;
      return;
    }
    const self = owner === SELF;
    const video = h('video', {
      autoplay: true,
      playsinline: true,
      'data-peer': owner,
      'data-kind': kind,
      'data-stream': stream.id,
    });
    // Our own preview must not play our microphone back to us.
    video.muted = self;
    video.srcObject = stream;
    const play = h('button', { type: 'button', class: 'button tile-play', hidden: true }, '▶ Play');
    play.addEventListener('click', () => startPlaying(video, play));
    const tile = h(
      'figure',
      { class: `tile tile-${kind}${self ? ' tile-self' : ''}` },
      video,
      play,
      h('figcaption', {}, label),
    );
    this.#tiles.set(id, tile);
    this.element.append(tile);
    this.element.hidden = false;
    startPlaying(video, play);
  }

  remove(owner: MediaOwner, streamId: string): void {
    const id = tileKey(owner, streamId);
    const tile = this.#tiles.get(id);
    if (tile === undefined) return;
    this.#tiles.delete(id);
    detach(tile);
    this.element.hidden = this.#tiles.size === 0;
  }

  /** Removes every tile of `owner` (a peer hung up or left). */
  removeOwner(owner: MediaOwner): void {
    for (const id of [...this.#tiles.keys()])
      if (id.startsWith(`${owner}/`)) this.remove(owner, id.slice(owner.length + 1));
  }

  /** Relabels a peer's tiles once its name is known. */
  rename(owner: MediaOwner, name: string): void {
    for (const [id, tile] of this.#tiles) {
      if (!id.startsWith(`${owner}/`)) continue;
      const kind = tile.querySelector('video')?.dataset.kind === 'screen' ? 'screen' : 'camera';
      const caption = tile.querySelector('figcaption');
      if (caption !== null) caption.textContent = tileLabel(name, kind);
    }
  }
}

export function tileLabel(name: string, kind: MediaKind): string {
  return kind === 'screen' ? `${name} · screen` : name;
}

function tileKey(owner: MediaOwner, streamId: string): string {
  return `${owner}/${streamId}`;
}

/** Autoplay can be refused (no user gesture yet): then a button starts it. */
function startPlaying(video: HTMLVideoElement, button: HTMLButtonElement): void {
  video.play().then(
    () => (button.hidden = true),
    () => (button.hidden = false),
  );
}

function detach(tile: HTMLElement): void {
  const video = tile.querySelector('video');
  if (video !== null) video.srcObject = null;
  tile.remove();
}
