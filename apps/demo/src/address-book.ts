import {
  MAX_BLOCKED,
  MAX_CONTACTS,
  MAX_KNOWN_PEERS,
  MAX_MISSED_CALLS,
  parseAcceptFrom,
  parseBlocked,
  parseContacts,
  parseKnownPeers,
  parseMissedCalls,
  parseTime,
  type BlockedPerson,
  type Contact,
  type KnownPeer,
  type MissedCallEntry,
} from './stored-people.js';

/** The part of `localStorage` the book uses (a Map-backed stand-in in tests). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

const KEYS = {
  contacts: 'sigmesh-demo:contacts',
  blocked: 'sigmesh-demo:blocked',
  known: 'sigmesh-demo:known-peers',
  missed: 'sigmesh-demo:missed-calls',
  lastVisit: 'sigmesh-demo:last-visit',
  acceptFrom: 'sigmesh-demo:accept-from',
} as const;

/**
 * The people the app knows — contacts, blocked keys, peers met in rooms, missed calls — and the
 * "only contacts can call me" setting, kept in `localStorage` (bounded; see stored-people.ts).
 * A store that refuses writes (full, private mode) only loses persistence: the app goes on.
 */
export class AddressBook {
  readonly #store: KeyValueStore | undefined;
  readonly #listeners = new Set<() => void>();
  #contacts: Contact[];
  #blocked: BlockedPerson[];
  #known: KnownPeer[];
  #missed: MissedCallEntry[];
  #acceptFrom: 'anyone' | 'contacts';

  constructor(store: KeyValueStore | undefined) {
    this.#store = store;
    this.#contacts = parseContacts(this.#read(KEYS.contacts));
    this.#blocked = parseBlocked(this.#read(KEYS.blocked));
    this.#known = parseKnownPeers(this.#read(KEYS.known));
    this.#missed = parseMissedCalls(this.#read(KEYS.missed));
    this.#acceptFrom = parseAcceptFrom(this.#read(KEYS.acceptFrom));
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  contacts(): readonly Contact[] {
    return this.#contacts;
  }

  contact(key: string): Contact | undefined {
    return this.#contacts.find((contact) => contact.key === key);
  }

  isContact(key: string): boolean {
    return this.contact(key) !== undefined;
  }

  blocked(): readonly BlockedPerson[] {
    return this.#blocked;
  }

  isBlocked(key: string): boolean {
    return this.#blocked.some((person) => person.key === key);
  }

  /** Peers met in rooms who are not contacts (nor blocked), newest first. */
  knownPeers(): KnownPeer[] {
    return this.#known
      .filter((peer) => !this.isContact(peer.key) && !this.isBlocked(peer.key))
      .reverse();
  }

  missedCalls(): readonly MissedCallEntry[] {
    return this.#missed;
  }

  get acceptFrom(): 'anyone' | 'contacts' {
    return this.#acceptFrom;
  }

  /** The name the app shows for a key: the contact's, else the one it was met or rang with. */
  nameOf(key: string, fallback?: string): string | undefined {
    return (
      this.contact(key)?.name ??
      this.#known.find((peer) => peer.key === key)?.name ??
      this.#blocked.find((person) => person.key === key)?.name ??
      fallback
    );
  }

  /** Adds (or renames) a contact; adding unblocks. */
  addContact(key: string, name: string | undefined, now = Date.now()): void {
    const existing = this.contact(key);
    const contact: Contact = {
      key,
      name: name ?? existing?.name,
      addedAt: existing?.addedAt ?? now,
      lastSeen: existing?.lastSeen,
    };
    this.#contacts = [...this.#contacts.filter((c) => c.key !== key), contact].slice(-MAX_CONTACTS);
    this.#blocked = this.#blocked.filter((person) => person.key !== key);
    this.#save(KEYS.contacts, this.#contacts);
    this.#save(KEYS.blocked, this.#blocked);
    this.#changed();
  }

  removeContact(key: string): void {
    this.#contacts = this.#contacts.filter((contact) => contact.key !== key);
    this.#save(KEYS.contacts, this.#contacts);
    this.#changed();
  }

  /** Blocks a key: it is no longer a contact, and its rings and pings are refused. */
  block(key: string, name: string | undefined): void {
    const known = this.nameOf(key, name);
    this.#contacts = this.#contacts.filter((contact) => contact.key !== key);
    this.#blocked = [...this.#blocked.filter((p) => p.key !== key), { key, name: known }].slice(
      -MAX_BLOCKED,
    );
    this.#save(KEYS.contacts, this.#contacts);
    this.#save(KEYS.blocked, this.#blocked);
    this.#changed();
  }

  unblock(key: string): void {
    this.#blocked = this.#blocked.filter((person) => person.key !== key);
    this.#save(KEYS.blocked, this.#blocked);
    this.#changed();
  }

  /** A peer with a lasting identity said its name in a room. */
  meet(key: string, name: string | undefined, room: string, now = Date.now()): void {
    const previous = this.#known.find((peer) => peer.key === key);
    if (previous !== undefined && previous.name === name && previous.room === room) return;
    const peer: KnownPeer = { key, name: name ?? previous?.name, room, seenAt: now };
    this.#known = [...this.#known.filter((p) => p.key !== key), peer].slice(-MAX_KNOWN_PEERS);
    this.#save(KEYS.known, this.#known);
    this.#changed();
  }

  /** A contact answered a ping. */
  seen(key: string, at = Date.now()): void {
    const contact = this.contact(key);
    if (contact === undefined) return;
    this.#contacts = this.#contacts.map((c) => (c.key === key ? { ...c, lastSeen: at } : c));
    this.#save(KEYS.contacts, this.#contacts);
    this.#changed();
  }

  /** Adds missed calls not yet known (by caller and call id); false when all were known. */
  addMissed(calls: readonly MissedCallEntry[]): boolean {
    const known = new Set(this.#missed.map((m) => `${m.from}/${m.call}`));
    const fresh = calls.filter((m) => !known.has(`${m.from}/${m.call}`));
    if (fresh.length === 0) return false;
    this.#missed = [...this.#missed, ...fresh].sort((a, b) => a.at - b.at).slice(-MAX_MISSED_CALLS);
    this.#save(KEYS.missed, this.#missed);
    this.#changed();
    return true;
  }

  clearMissed(): void {
    this.#missed = [];
    this.#save(KEYS.missed, this.#missed);
    this.#changed();
  }

  setAcceptFrom(value: 'anyone' | 'contacts'): void {
    this.#acceptFrom = value;
    this.#write(KEYS.acceptFrom, value);
    this.#changed();
  }

  /**
   * The previous visit's time (undefined on the first), and records this one: missed-call notes
   * newer than it are read at start.
   */
  startVisit(now = Date.now()): number | undefined {
    const last = parseTime(this.#read(KEYS.lastVisit));
    this.#write(KEYS.lastVisit, String(now));
    return last;
  }

  #read(key: string): string | null {
    try {
      return this.#store?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }

  #save(key: string, value: unknown): void {
    this.#write(key, JSON.stringify(value));
  }

  #write(key: string, value: string): void {
    try {
      this.#store?.setItem(key, value);
    } catch (error) {
      console.warn(`${key} not saved: ${String(error)}`);
    }
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
