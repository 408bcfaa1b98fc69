import type { RoomHash } from '@sigmesh/protocol';
import type { MeshLink } from './mesh-link.js';

/** A node address we want a link to, kept while one of its rooms has local members. */
interface DialTarget {
  readonly url: string;
  readonly rooms: Set<RoomHash>;
  /** A static peer (--mesh-peers): wanted whatever the rooms. */
  pinned: boolean;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  link: MeshLink | undefined;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The node addresses the mesh wants links to, and their redial schedule: a target is dialed when
 * first wanted, redialed with exponential backoff (1 s doubling to 30 s, ±25 %) when its link
 * drops, and forgotten once none of its rooms has local members — unless it is pinned (a static
 * peer), which is wanted for as long as the mesh runs.
 */
export class DialTargets {
  readonly #targets = new Map<string, DialTarget>();
  readonly #connect: (url: string) => MeshLink;
  readonly #stillWanted: (room: RoomHash) => boolean;
  readonly #failed: (url: string) => void;
  readonly #release: (link: MeshLink) => void;

  constructor(options: {
    connect: (url: string) => MeshLink;
    stillWanted: (room: RoomHash) => boolean;
    /** A wanted link dropped or its dial failed (the room overlay picks another node meanwhile). */
    failed?: (url: string) => void;
    /** No room wants the target of `link` any more (the mesh closes it if it dialed it). */
    release?: (link: MeshLink) => void;
  }) {
    this.#connect = options.connect;
    this.#stillWanted = options.stillWanted;
    this.#failed = options.failed ?? (() => undefined);
    this.#release = options.release ?? (() => undefined);
  }

  /** Wants `url` for `room` (or always, for `'pinned'`); dials now unless linked, dialing or waiting to redial. */
  want(url: string, room: RoomHash | 'pinned'): void {
    const key = url.replace(/\/$/, '');
    let target = this.#targets.get(key);
    if (target === undefined) {
      target = {
        url: key,
        rooms: new Set(),
        pinned: false,
        attempt: 0,
        timer: undefined,
        link: undefined,
      };
      this.#targets.set(key, target);
    }
    if (room === 'pinned') target.pinned = true;
    else target.rooms.add(room);
    if (target.link === undefined && target.timer === undefined) this.#dial(target);
  }

  /** `url` is no longer wanted for `room`: a target no room (or pin) wants is dropped, its link released. */
  unwant(url: string, room: RoomHash): void {
    const key = url.replace(/\/$/, '');
    const target = this.#targets.get(key);
    if (target === undefined) return;
    target.rooms.delete(room);
    if (target.rooms.size > 0 || target.pinned) return;
    clearTimeout(target.timer);
    this.#targets.delete(key);
    if (target.link !== undefined) this.#release(target.link);
  }

  /** True when `url` is wanted (for a room, or as a static peer). */
  wanted(url: string | undefined): boolean {
    return url !== undefined && this.#targets.has(url.replace(/\/$/, ''));
  }

  /** True when `url` is a static peer. */
  pinned(url: string | undefined): boolean {
    return url !== undefined && this.#targets.get(url.replace(/\/$/, ''))?.pinned === true;
  }

  /** A link opened: its target's backoff starts over. */
  opened(link: MeshLink): void {
    for (const target of this.#targets.values()) if (target.link === link) target.attempt = 0;
  }

  /**
   * A link closed: its target is redialed later, unless `redial` is false. A link closed as a
   * duplicate names the `survivor` (the pair's link that stays): its target follows that one, so
   * it is redialed when the survivor drops rather than never.
   */
  closed(link: MeshLink, redial: boolean, survivor?: MeshLink): void {
    for (const target of this.#targets.values()) {
      if (target.link !== link) continue;
      target.link = survivor;
      if (survivor === undefined && redial) this.#retry(target);
    }
  }

  /** A room lost its last local member: targets no longer want it. */
  roomClosed(room: RoomHash): void {
    for (const target of this.#targets.values()) target.rooms.delete(room);
  }

  clear(): void {
    for (const target of this.#targets.values()) clearTimeout(target.timer);
    this.#targets.clear();
  }

  #dial(target: DialTarget): void {
    target.timer = undefined;
    if (!target.pinned && ![...target.rooms].some((room) => this.#stillWanted(room))) {
      this.#targets.delete(target.url);
      return;
    }
    try {
      target.link = this.#connect(target.url);
    } catch {
      // Not dialable now (a URL the WebSocket client refuses): try again later.
      this.#retry(target);
    }
  }

  #retry(target: DialTarget): void {
    this.#failed(target.url);
    // The overlay may have dropped the target (another node takes its place); a pin stays.
    if (this.#targets.get(target.url) !== target) return;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** target.attempt) * (0.75 + Math.random() / 2);
    target.attempt++;
    target.timer = setTimeout(() => this.#dial(target), delay);
    target.timer.unref();
  }
}
