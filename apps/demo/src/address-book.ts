import type { ContactCard, PrivateInboxAddress } from '@sigmesh/client';
import {
  MAX_BLOCKED,
  MAX_CONTACTS,
  MAX_KNOWN_PEERS,
  MAX_MISSED_CALLS,
  MAX_REQUESTS,
  parseAcceptFrom,
  parseBlocked,
  parseContacts,
  parseKnownPeers,
  parseMissedCalls,
  parseRequests,
  parseTime,
  type BlockedPerson,
  type Contact,
  type KnownPeer,
  type MissedCallEntry,
  type StoredRequest,
} from './stored-people.js';

/** The part of `localStorage` the book uses (a Map-backed stand-in in tests). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

const KEYS = {
  contacts: 'sigmesh-demo:contacts',
  blocked: 'sigmesh-demo:blocked',
  known: 'sigmesh-demo:known-peers',
  missed: 'sigmesh-demo:missed-calls',
  requests: 'sigmesh-demo:contact-requests',
  lastVisit: 'sigmesh-demo:last-visit',
  acceptFrom: 'sigmesh-demo:accept-from',
} as const;

/**
 * The people the app knows — contacts, blocked keys, peers met in rooms, missed calls, contact
 * requests — and the
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
  #requests: StoredRequest[];
  #acceptFrom: 'anyone' | 'contacts';

  constructor(store: KeyValueStore | undefined) {
    this.#store = store;
    this.#contacts = parseContacts(this.#read(KEYS.contacts));
    this.#blocked = parseBlocked(this.#read(KEYS.blocked));
    this.#known = parseKnownPeers(this.#read(KEYS.known));
    this.#missed = parseMissedCalls(this.#read(KEYS.missed));
    this.#requests = parseRequests(this.#read(KEYS.requests));
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

  /**
   * What to call, ping or ask `key` by: the contact's card when its link carried a private inbox
   * (everything then goes there, sealed), else the bare key (its public inbox).
   */
  reach(key: string): string | ContactCard {
    const inbox = this.contact(key)?.inbox;
    return inbox === undefined ? key : { key, name: '', inbox };
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

  /**
   * The name the app shows for a key: the contact's, else the one it was met, blocked, asked or
   * rang with.
   */
  nameOf(key: string, fallback?: string): string | undefined {
    return (
      this.contact(key)?.name ??
      this.#known.find((peer) => peer.key === key)?.name ??
      this.#blocked.find((person) => person.key === key)?.name ??
      this.#requests.find((request) => request.from === key)?.name ??
      fallback
    );
  }

  /**
   * Adds (or renames) a contact; adding unblocks. A private inbox (from their link) replaces the
   * one kept; adding by a bare key keeps it.
   */
  addContact(
    key: string,
    name: string | undefined,
    now = Date.now(),
    inbox?: PrivateInboxAddress,
  ): void {
    const existing = this.contact(key);
    const kept = inbox ?? existing?.inbox;
    const contact: Contact = {
      key,
      name: name ?? existing?.name,
      addedAt: existing?.addedAt ?? now,
      lastSeen: existing?.lastSeen,
      ...(kept === undefined ? {} : { inbox: kept }),
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

  /**
   * Blocks a key: it is no longer a contact, its request is dropped, and its rings and pings are
   * refused.
   */
  block(key: string, name: string | undefined): void {
    const known = this.nameOf(key, name);
    this.#contacts = this.#contacts.filter((contact) => contact.key !== key);
    this.#blocked = [...this.#blocked.filter((p) => p.key !== key), { key, name: known }].slice(
      -MAX_BLOCKED,
    );
    this.#requests = this.#requests.filter((request) => request.from !== key);
    this.#save(KEYS.contacts, this.#contacts);
    this.#save(KEYS.blocked, this.#blocked);
    this.#save(KEYS.requests, this.#requests);
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

  /** Contact requests not yet accepted or ignored, in the order they arrived. */
  requests(): readonly StoredRequest[] {
    return this.#requests;
  }

  /** Keeps a request (one per sender: a newer one replaces it); blocked keys' are dropped. */
  addRequest(request: StoredRequest): void {
    if (this.isBlocked(request.from)) return;
    this.#requests = [...this.#requests.filter((r) => r.from !== request.from), request].slice(
      -MAX_REQUESTS,
    );
    this.#save(KEYS.requests, this.#requests);
    this.#changed();
  }

  /** The request from `from` was accepted or ignored. */
  removeRequest(from: string): void {
    this.#requests = this.#requests.filter((request) => request.from !== from);
    this.#save(KEYS.requests, this.#requests);
    this.#changed();
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
