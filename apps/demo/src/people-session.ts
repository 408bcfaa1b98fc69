import {
  connectPeople,
  type ContactRequest,
  type Identity,
  type IncomingRing,
  type MissedCall,
  type People,
} from '@sigmesh/client';
import type { AddressBook } from './address-book.js';
import { describeError } from './describe-error.js';

/** After a failed connection, try again this long later. */
const RETRY_MS = 15_000;
/**
 * A People replaced after a rename stays open this long: a ring it delivered is answered through
 * it (closing it would cancel the ring), and one rings for 30 s by default.
 */
const RETIRE_MS = 45_000;
/** Rings already shown (a ring can reach both People while a rename swaps them). */
const MAX_SEEN_RINGS = 256;

export type PeopleStatus =
  | { readonly state: 'connecting' }
  | { readonly state: 'online'; readonly nodes: readonly string[] }
  | { readonly state: 'offline'; readonly error: string };

export interface PeopleSessionOptions {
  readonly appId: string;
  readonly nodes: readonly string[];
  readonly identity: Identity;
  readonly book: AddressBook;
  /** The name rings and missed-call notes carry. */
  readonly name: () => string | undefined;
  readonly ring: (ring: IncomingRing) => void;
  readonly missed: (missed: MissedCall) => void;
  readonly request: (request: ContactRequest) => void;
  readonly status: (status: PeopleStatus) => void;
  /** Called once per connection, when it is up (the first time: read missed-call notes). */
  readonly connected: (people: People) => void;
}

/**
 * The app's `People`: connected at start (retried every 15 s until a node lets it in), and made
 * again when the user changes the name its rings carry (the new one connects first, and the old one
 * closes 45 s later, once any ring it delivered is over). Contacts, blocks and the "only contacts" setting are read from
 * the address book on every ring and ping.
 */
export class PeopleSession {
  readonly #options: PeopleSessionOptions;
  readonly #seenRings = new Set<string>();
  #people: People | undefined;
  #name: string | undefined;
  #connecting = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #retiring = new Set<People>();

  constructor(options: PeopleSessionOptions) {
    this.#options = options;
  }

  /** Undefined until connected. */
  get people(): People | undefined {
    return this.#people;
  }

  start(): void {
    void this.#connect();
  }

  /** Connects again if the name changed since the current People was made. */
  nameChanged(): void {
    if (this.#options.name() !== this.#name) void this.#connect();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#people?.close();
    this.#people = undefined;
    for (const people of this.#retiring) people.close();
    this.#retiring.clear();
  }

  /** Closes a replaced People once the rings it may have delivered are over. */
  #retire(people: People): void {
    this.#retiring.add(people);
    setTimeout(() => {
      if (this.#retiring.delete(people)) people.close();
    }, RETIRE_MS);
  }

  async #connect(): Promise<void> {
    if (this.#connecting || this.#closed) return;
    this.#connecting = true;
    clearTimeout(this.#retry);
    const { book } = this.#options;
    const name = this.#options.name();
    if (this.#people === undefined) this.#options.status({ state: 'connecting' });
    try {
      const people = await connectPeople({
        appId: this.#options.appId,
        nodes: this.#options.nodes,
        identity: this.#options.identity,
        ...(name === undefined ? {} : { name }),
        // Read on every ring and ping, so the setting applies at once.
        get acceptFrom() {
          return book.acceptFrom;
        },
        isContact: (key) => book.isContact(key),
        isBlocked: (key) => book.isBlocked(key),
      });
      if (this.#closed) {
        people.close();
        return;
      }
      people.on('ring', (ring) => {
        const id = `${ring.from}/${ring.call}`;
        if (this.#seenRings.has(id)) return;
        this.#seenRings.add(id);
        if (this.#seenRings.size > MAX_SEEN_RINGS)
          this.#seenRings.delete(this.#seenRings.values().next().value ?? '');
        this.#options.ring(ring);
      });
      people.on('missed', (missed) => this.#options.missed(missed));
      people.on('request', (request) => this.#options.request(request));
      const previous = this.#people;
      this.#people = people;
      this.#name = name;
      if (previous !== undefined) this.#retire(previous);
      this.#options.status({ state: 'online', nodes: people.nodes });
      this.#options.connected(people);
    } catch (error) {
      if (this.#people === undefined) {
        this.#options.status({ state: 'offline', error: describeError(error) });
        this.#retry = setTimeout(() => void this.#connect(), RETRY_MS);
      }
    } finally {
      this.#connecting = false;
    }
    // The name changed again while connecting.
    if (!this.#closed && this.#people !== undefined && this.#options.name() !== this.#name)
      void this.#connect();
  }
}
