import type { ClientId, ConnectionRoute, PeerInfo } from '@sigmesh/client';

/** What the app knows of a remote peer: its connection (from `peer-state`) and its name. */
export interface PeerEntry {
  readonly id: ClientId;
  /** The name from its `hello`; undefined until that arrives. */
  readonly name: string | undefined;
  readonly connection: RTCPeerConnectionState;
  readonly route: ConnectionRoute;
  /** Its data channel is open: messages, files and calls work. */
  readonly open: boolean;
}

/** The peers of the room as the app shows them; views subscribe with {@link onChange}. */
export class PeerDirectory {
  readonly #peers = new Map<ClientId, PeerEntry>();
  /** Kept apart from the entries: a hello may arrive before the first `peer-state`. */
  readonly #names = new Map<ClientId, string>();
  readonly #listeners = new Set<() => void>();

  onChange(listener: () => void): void {
    this.#listeners.add(listener);
  }

  /** A `peer-state` event (or a `peer-join`, which means the channel is open). */
  update(info: PeerInfo): void {
    this.#peers.set(info.id, {
      id: info.id,
      name: this.#names.get(info.id),
      connection: info.connection,
      route: info.route,
      open: info.open,
    });
    this.#changed();
  }

  setName(id: ClientId, name: string): void {
    this.#names.set(id, name);
    const known = this.#peers.get(id);
    if (known === undefined || known.name === name) return;
    this.#peers.set(id, { ...known, name });
    this.#changed();
  }

  remove(id: ClientId): void {
    this.#names.delete(id);
    if (this.#peers.delete(id)) this.#changed();
  }

  /** Drops peers the room no longer has (a connection that never opened sends no `peer-leave`). */
  sync(current: readonly PeerInfo[]): void {
    const ids = new Set(current.map((peer) => peer.id));
    let changed = false;
    for (const id of this.#peers.keys())
      if (!ids.has(id)) changed = this.#peers.delete(id) || changed;
    if (changed) this.#changed();
  }

  get(id: ClientId): PeerEntry | undefined {
    return this.#peers.get(id);
  }

  list(): PeerEntry[] {
    return [...this.#peers.values()];
  }

  /** Peers that can be sent to now. */
  openIds(): ClientId[] {
    return this.list()
      .filter((peer) => peer.open)
      .map((peer) => peer.id);
  }

  /** The peer's name, or a short form of its id until its hello arrives. */
  name(id: ClientId): string {
    return this.#names.get(id) ?? shortId(id);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

export function shortId(id: string): string {
  return `peer ${id.slice(0, 6)}`;
}
