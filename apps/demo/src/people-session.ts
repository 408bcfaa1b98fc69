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

export type PeopleStatus =
  | { readonly state: 'connecting' }
  | { readonly state: 'online'; readonly nodes: readonly string[] }
  | { readonly state: 'offline'; readonly error: string };

export interface PeopleSessionOptions {
  readonly appId: string;
  readonly nodes: readonly string[];
  readonly identity: Identity;
  /**
   * A second key to listen privately with: only the cards (links) the app hands out name it, and
   * every message there is sealed.
   */
  readonly privateInbox: Identity;
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
 * The app's `People`, listening on the public inbox and a private one: connected at start (retried every 15 s until a node lets it in). A new name
 * applies to the next ring (`people.name`), the "only contacts" setting to the next ring or ping
 * (`people.acceptFrom`, kept in step with the address book); contacts and blocks are read from
 * the address book on every ring and ping.
 */
export class PeopleSession {
  readonly #options: PeopleSessionOptions;
  #people: People | undefined;
  #connecting = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #unwatch: (() => void) | undefined;

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

  /** The name changed: the next ring carries the new one. */
  nameChanged(): void {
    if (this.#people !== undefined) this.#people.name = this.#options.name();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#unwatch?.();
    this.#people?.close();
    this.#people = undefined;
  }

  async #connect(): Promise<void> {
    if (this.#connecting || this.#closed || this.#people !== undefined) return;
    this.#connecting = true;
    clearTimeout(this.#retry);
    const { book } = this.#options;
    const name = this.#options.name();
    this.#options.status({ state: 'connecting' });
    try {
      const people = await connectPeople({
        appId: this.#options.appId,
        nodes: this.#options.nodes,
        identity: this.#options.identity,
        privateInbox: this.#options.privateInbox,
        ...(name === undefined ? {} : { name }),
        acceptFrom: book.acceptFrom,
        isContact: (key) => book.isContact(key),
        isBlocked: (key) => book.isBlocked(key),
      });
      if (this.#closed) {
        people.close();
        return;
      }
      people.on('ring', (ring) => this.#options.ring(ring));
      people.on('missed', (missed) => this.#options.missed(missed));
      people.on('request', (request) => this.#options.request(request));
      this.#people = people;
      // The setting, and a name typed while connecting, apply from the next ring.
      people.name = this.#options.name();
      this.#unwatch = book.onChange(() => (people.acceptFrom = book.acceptFrom));
      this.#options.status({ state: 'online', nodes: people.nodes });
      this.#options.connected(people);
    } catch (error) {
      this.#options.status({ state: 'offline', error: describeError(error) });
      this.#retry = setTimeout(() => void this.#connect(), RETRY_MS);
    } finally {
      this.#connecting = false;
    }
  }
}
