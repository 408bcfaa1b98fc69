import type { RoomHash } from '@sigmesh/protocol';
import { overlayPicks } from './overlay-picks.js';

/** What the overlay needs from the mesh. */
export interface OverlayHost {
  /** Our own URL (throws before the node listens). */
  selfUrl(): string;
  /** URLs of the open links that share `room` (those others opened to us included). */
  linkedIn(room: RoomHash): string[];
  /** When the open link to `url` opened and the rooms it shares, if there is one. */
  linkAt(url: string): { openedAt: number; shared: ReadonlySet<RoomHash> } | undefined;
  /** True while `room` has local members. */
  hasLocal(room: RoomHash): boolean;
  /** Wants a link to `url` for `room` (dials unless linked), or no longer. */
  want(url: string, room: RoomHash): void;
  unwant(url: string, room: RoomHash): void;
  /** Looks the room up on the DHT again now (its overlay lost a link and has too few nodes). */
  lookup(room: RoomHash): void;
}

/** A node whose link dropped or whose dial failed: left out of the picks until `until`. */
interface Down {
  until: number;
  attempt: number;
}

const MAX_DOWN_MS = 30_000;
/** A down record untouched this long is forgotten (its node is long gone from the candidates). */
const FORGET_DOWN_MS = 10 * 60_000;
/** At most one extra lookup per room this often, however many links it loses. */
const LOOKUP_EVERY_MS = 10_000;
/**
 * A pick linked but not sharing the room (it left; the DHT still lists it) is no candidate of the
 * room for this long: about as long as discovery keeps an address it no longer finds.
 */
const ABSENT_MS = 10 * 60_000;

/**
 * Which nodes of each room this node links to itself: at most `degree` per room, chosen by
 * {@link overlayPicks} among the nodes discovery found for the room and those linked to us that
 * share it. A room's messages and presence flood over the links that share it, so the room's
 * nodes form a connected overlay of bounded degree instead of a full mesh (docs/scaling-overlay.md).
 * A pick whose link drops or whose dial fails is left out for a while (1 s doubling to 30 s) and
 * replaced at once by the next best node, which heals the overlay after a node dies.
 */
export class RoomOverlay {
  readonly #degree: number;
  readonly #seed: string;
  readonly #host: OverlayHost;
  readonly #now: () => number;
  readonly #found = new Map<RoomHash, Set<string>>();
  readonly #picks = new Map<RoomHash, Set<string>>();
  readonly #down = new Map<string, Down>();
  /** Room → URL → until when: nodes found linked but without members in the room. */
  readonly #absent = new Map<RoomHash, Map<string, number>>();
  readonly #dirty = new Set<RoomHash>();
  /** Rooms that lost a link since they were last looked at, and when each was last looked up. */
  readonly #lost = new Set<RoomHash>();
  readonly #lookedUp = new Map<RoomHash, number>();
  #soon: NodeJS.Immediate | undefined;
  #wake: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: { degree: number; seed: string; host: OverlayHost; now: () => number }) {
    this.#degree = options.degree;
    this.#seed = options.seed;
    this.#host = options.host;
    this.#now = options.now;
  }

  /** Discovery found `url` for `room`. */
  found(url: string, room: RoomHash): void {
    const key = url.replace(/\/$/, '');
    let found = this.#found.get(room);
    if (found === undefined) this.#found.set(room, (found = new Set()));
    if (found.has(key) && this.#picks.has(room)) return;
    found.add(key);
    this.changed(room);
  }

  /** Links sharing `room` changed (or, without a room, any link): its picks are looked at again. */
  changed(room?: RoomHash): void {
    if (this.#stopped) return;
    if (room !== undefined) this.#dirty.add(room);
    else for (const known of [...this.#found.keys(), ...this.#picks.keys()]) this.#dirty.add(known);
    this.#soon ??= setImmediate(() => {
      this.#soon = undefined;
      const rooms = [...this.#dirty];
      this.#dirty.clear();
      for (const dirty of rooms) this.#reselect(dirty);
    });
  }

  /**
   * A link sharing `room` closed: its picks are looked at again, and if the room then has fewer
   * nodes to pick than the degree, it is looked up again (a node whose links all came from nodes
   * that died knows no other node of the room).
   */
  lost(room: RoomHash): void {
    this.#lost.add(room);
    this.changed(room);
  }

  /** The link to `url` dropped or its dial failed: another node takes its place for a while. */
  down(url: string): void {
    const key = url.replace(/\/$/, '');
    const now = this.#now();
    const previous = this.#down.get(key);
    const attempt =
      previous === undefined || now - previous.until > FORGET_DOWN_MS ? 0 : previous.attempt + 1;
    const wait = Math.min(MAX_DOWN_MS, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);
    this.#down.set(key, { until: now + wait, attempt });
    for (const [room, picks] of this.#picks) if (picks.has(key)) this.changed(room);
    this.#schedule();
  }

  /**
   * Picks linked for at least `graceMs` that still do not share their room have left it: each is
   * no candidate of that room for a while, and another node takes its place.
   */
  prune(graceMs: number): void {
    const now = this.#now();
    for (const [room, picks] of this.#picks) {
      for (const url of picks) {
        const link = this.#host.linkAt(url);
        if (link === undefined || link.shared.has(room) || now - link.openedAt < graceMs) continue;
        let absent = this.#absent.get(room);
        if (absent === undefined) this.#absent.set(room, (absent = new Map<string, number>()));
        absent.set(url, now + ABSENT_MS);
        this.changed(room);
      }
    }
  }

  /** A link to `url` opened: it counts as up again. */
  up(url: string | undefined): void {
    if (url !== undefined) this.#down.delete(url.replace(/\/$/, ''));
  }

  /** The room lost its last local member: nothing of it is kept. */
  roomClosed(room: RoomHash): void {
    for (const url of this.#picks.get(room) ?? []) this.#host.unwant(url, room);
    this.#picks.delete(room);
    this.#found.delete(room);
    this.#lost.delete(room);
    this.#lookedUp.delete(room);
    this.#absent.delete(room);
  }

  /** The nodes this node links to for `room`. */
  picks(room: RoomHash): string[] {
    return [...(this.#picks.get(room) ?? [])];
  }

  stop(): void {
    this.#stopped = true;
    clearImmediate(this.#soon);
    clearTimeout(this.#wake);
    this.#found.clear();
    this.#picks.clear();
    this.#lookedUp.clear();
    this.#absent.clear();
  }

  #reselect(room: RoomHash): void {
    if (!this.#host.hasLocal(room)) {
      this.roomClosed(room);
      return;
    }
    let self: string;
    try {
      self = this.#host.selfUrl();
    } catch {
      return; // not listening yet: the room is looked at again when links change
    }
    const now = this.#now();
    const linked = new Set(this.#host.linkedIn(room).map((url) => url.replace(/\/$/, '')));
    const absent = this.#absent.get(room);
    for (const [url, until] of absent ?? []) if (until <= now) absent!.delete(url);
    const candidates = [...(this.#found.get(room) ?? []), ...linked].filter(
      (url) => (this.#down.get(url)?.until ?? 0) <= now && !(absent?.has(url) ?? false),
    );
    const next = new Set(
      overlayPicks({ room, self, seed: this.#seed, degree: this.#degree, candidates, linked }),
    );
    const before = this.#picks.get(room) ?? new Set<string>();
    this.#picks.set(room, next);
    for (const url of before) if (!next.has(url)) this.#host.unwant(url, room);
    for (const url of next) if (!before.has(url)) this.#host.want(url, room);
    if (!this.#lost.delete(room) || next.size >= this.#degree) return;
    if (now - (this.#lookedUp.get(room) ?? -Infinity) < LOOKUP_EVERY_MS) return;
    this.#lookedUp.set(room, now);
    this.#host.lookup(room);
  }

  /** Wakes when the next down node may be tried again. */
  #schedule(): void {
    clearTimeout(this.#wake);
    const now = this.#now();
    let next = Infinity;
    for (const [url, down] of this.#down) {
      if (down.until > now) next = Math.min(next, down.until);
      else if (now - down.until > FORGET_DOWN_MS) this.#down.delete(url);
    }
    if (next === Infinity || this.#stopped) return;
    this.#wake = setTimeout(
      () => {
        this.changed();
        this.#schedule();
      },
      Math.max(1, next - now),
    );
    this.#wake.unref();
  }
}
