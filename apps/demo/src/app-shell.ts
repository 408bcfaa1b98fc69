import {
  joinRoom,
  type Call,
  type Identity,
  type IncomingRing,
  type People,
} from '@sigmesh/client';
import { AddressBook } from './address-book.js';
import { CallingOverlay, outcomeOf } from './calling-overlay.js';
import { cleanName, parseContactLink, type ContactLink } from './contact-link.js';
import { describeError } from './describe-error.js';
import { HomeScreen } from './home-screen.js';
import type { JoinChoice } from './join-screen.js';
import { PeopleSession, type PeopleStatus } from './people-session.js';
import { Presence } from './presence.js';
import { showRingOverlay } from './ring-overlay.js';
import { parseRoomLink, roomLinkHash } from './room-link.js';
import { renderRoomView, type RoomViewHandle } from './room-view.js';

export interface AppShellOptions {
  readonly root: HTMLElement;
  readonly appId: string;
  readonly identity: Identity;
  /** The private inbox's key (kept like the identity, under its own name). */
  readonly privateInbox: Identity;
  /** `localStorage`, or undefined where the browser refuses it. */
  readonly storage: Storage | undefined;
  readonly nodes: readonly string[];
}

const NAME_KEY = 'sigmesh-demo:name';

/**
 * The app: the home screen, a room, or a call between two people, one at a time; rings on top of
 * any of them. Calls and presence go through one {@link PeopleSession}.
 */
export class AppShell {
  readonly #options: AppShellOptions;
  readonly #book: AddressBook;
  readonly #presence: Presence;
  readonly #session: PeopleSession;
  readonly #home: HomeScreen;
  /** The room or call on screen; undefined at home. */
  #screen: { kind: 'room' | 'call'; view: RoomViewHandle } | undefined;
  /** A call we are placing (ringing out). */
  #dialing: AbortController | undefined;
  #lastVisit: number | undefined;
  #readNotes = false;

  constructor(options: AppShellOptions) {
    this.#options = options;
    const { identity } = options;
    this.#book = new AddressBook(options.storage);
    this.#lastVisit = this.#book.startVisit();
    this.#presence = new Presence({
      ping: (key) => this.#people()?.ping(this.#book.reach(key)) ?? Promise.resolve(undefined),
      keys: () => this.#book.contacts().map((contact) => contact.key),
      changed: () => this.#home.renderContacts(),
      seen: (key, at) => this.#book.seen(key, at),
    });
    this.#home = new HomeScreen({
      identity,
      book: this.#book,
      presence: this.#presence,
      base: `${location.origin}${location.pathname}`,
      name: this.#readName(),
      roomLink: parseRoomLink(location.hash),
      nodes: options.nodes,
      join: (choice) => this.#enterRoom(choice),
      call: (key, video) => void this.#placeCall(key, video),
      request: (person, text) => this.#request(person, text),
      nameChanged: (name) => {
        this.#saveName(name);
        this.#session.nameChanged();
      },
    });
    this.#session = new PeopleSession({
      appId: options.appId,
      nodes: options.nodes,
      identity,
      privateInbox: options.privateInbox,
      book: this.#book,
      name: () => cleanName(this.#home.you.nameInput.value),
      ring: (ring) => this.#ringing(ring),
      missed: (missed) => {
        if (this.#book.addMissed([missed]))
          this.#home.notices.info(
            `Missed call from ${this.#book.nameOf(missed.from, missed.name) ?? 'someone'}.`,
          );
      },
      request: (request) => {
        if (this.#book.isBlocked(request.from)) return;
        const name = cleanName(request.name);
        this.#book.addRequest({ from: request.from, name, text: request.text, at: request.at });
        this.#home.notices.info(`${name ?? 'Someone'} sent you a contact request.`);
      },
      status: (status) => this.#showStatus(status),
      connected: (people) => this.#connected(people),
    });
    // Contacts added or removed: check the new ones at once.
    let contactKeys = new Set(this.#book.contacts().map((c) => c.key));
    this.#book.onChange(() => {
      const now = new Set(this.#book.contacts().map((c) => c.key));
      const added = [...now].filter((key) => !contactKeys.has(key));
      for (const key of contactKeys) if (!now.has(key)) this.#presence.forget(key);
      contactKeys = now;
      if (added.length > 0 && this.#people() !== undefined) this.#presence.refresh(added);
    });
  }

  start(): void {
    this.#showHome();
    this.#offerFromLink();
    // A contact link opened in this tab while the app runs.
    window.addEventListener('hashchange', () => this.#offerFromLink());
    this.#session.start();
  }

  /** The page's hash is someone's contact link (`#contact=KEY&name=NAME`): offer to add them. */
  #offerFromLink(): void {
    const offer = parseContactLink(location.hash);
    if (offer === undefined) return;
    history.replaceState(null, '', location.pathname);
    this.#home.offer(offer);
  }

  #people(): People | undefined {
    return this.#session.people;
  }

  #showHome(): void {
    this.#screen = undefined;
    document.title = 'sigmesh';
    this.#options.root.replaceChildren(this.#home.element);
    this.#home.render();
    const focus = parseRoomLink(location.hash).room !== '' ? 'input[name=room]' : null;
    if (focus !== null) this.#home.element.querySelector<HTMLInputElement>(focus)?.focus();
  }

  #showStatus(status: PeopleStatus): void {
    if (status.state === 'online')
      this.#home.you.status(
        `Reachable for calls via ${status.nodes.map((url) => new URL(url).host).join(', ')}`,
        'ok',
      );
    else if (status.state === 'connecting') this.#home.you.status('Connecting for calls…', 'wait');
    else this.#home.you.status(`Not reachable for calls: ${status.error} (retrying)`, 'bad');
  }

  #connected(people: People): void {
    this.#showStatus({ state: 'online', nodes: people.nodes });
    people.card().then(
      (card) => this.#home.you.setCard(card),
      (error: unknown) =>
        this.#home.notices.error(`Your contact link is not ready: ${describeError(error)}`),
    );
    this.#presence.start();
    this.#presence.refresh();
    if (this.#readNotes) return;
    this.#readNotes = true;
    // Calls noted in the DHT while the app was closed: from contacts, since the last visit.
    const since = this.#lastVisit ?? Date.now() - 7 * 86_400_000;
    const callers = this.#book.contacts().map((contact) => contact.key);
    if (callers.length === 0) return;
    people.missedCalls(callers, since).then(
      (missed) => {
        if (this.#book.addMissed(missed))
          this.#home.notices.info(`${missed.length} missed call(s) while you were away.`);
      },
      (error: unknown) =>
        this.#home.notices.error(`Missed calls not read: ${describeError(error)}`),
    );
  }

  async #enterRoom(choice: JoinChoice): Promise<void> {
    const room = await joinRoom({
      appId: this.#options.appId,
      room: choice.room,
      nodes: choice.nodes,
      identity: this.#options.identity,
      ...(choice.password === undefined ? {} : { password: choice.password }),
    });
    this.#saveName(choice.name);
    // The link to share: the room, and whether it needs a password, never the password itself.
    history.replaceState(
      null,
      '',
      roomLinkHash({ room: choice.room, passwordNeeded: choice.password !== undefined }),
    );
    document.title = `${choice.room} · sigmesh`;
    const view = renderRoomView({
      room,
      roomName: choice.room,
      selfName: choice.name,
      onLeave: () => this.#showHome(),
      onPersonMet: (key, name) => {
        if (key !== this.#options.identity.publicKey) this.#book.meet(key, name, choice.room);
      },
    });
    this.#screen = { kind: 'room', view };
    this.#options.root.replaceChildren(view.element);
  }

  async #placeCall(key: string, video: boolean): Promise<void> {
    const people = this.#people();
    const name = this.#book.nameOf(key) ?? 'this person';
    if (people === undefined) {
      this.#home.notices.error('Not connected for calls yet; try again in a moment.');
      return;
    }
    if (this.#dialing !== undefined || this.#screen?.kind === 'call') return;
    const dialing = new AbortController();
    this.#dialing = dialing;
    const overlay = new CallingOverlay(name, key, video, () => dialing.abort());
    try {
      const call = await people.call(this.#book.reach(key), {
        video,
        audio: true,
        signal: dialing.signal,
      });
      overlay.close();
      this.#showCall(call, 'caller', video);
    } catch (error) {
      overlay.ended(outcomeOf((error as { code?: unknown }).code), describeError(error));
    } finally {
      this.#dialing = undefined;
    }
  }

  #ringing(ring: IncomingRing): void {
    if (this.#screen?.kind === 'call' || this.#dialing !== undefined) {
      ring.decline('busy').catch(() => undefined);
      const name = this.#book.nameOf(ring.from, ring.name) ?? 'Someone';
      this.#home.notices.info(`${name} called while you were busy.`);
      return;
    }
    showRingOverlay({
      ring,
      name: this.#book.nameOf(ring.from, ring.name),
      isContact: this.#book.isContact(ring.from),
      accept: () => {
        // Taking a call leaves the room on screen.
        if (this.#screen?.kind === 'room') this.#screen.view.leave();
        ring.accept().then(
          (call) => this.#showCall(call, 'callee', ring.media.video),
          (error: unknown) =>
            this.#home.notices.error(`The call could not start: ${describeError(error)}`),
        );
      },
      decline: () => void ring.decline().catch(() => undefined),
    });
  }

  #showCall(call: Call, role: 'caller' | 'callee', video: boolean): void {
    if (this.#screen !== undefined) this.#screen.view.leave();
    const name = this.#book.nameOf(call.peer) ?? 'someone';
    document.title = `Call with ${name} · sigmesh`;
    const view = renderRoomView({
      room: call.room,
      roomName: `Call with ${name}`,
      selfName: cleanName(this.#home.you.nameInput.value) ?? 'me',
      call: { role, video },
      onLeave: () => this.#showHome(),
    });
    this.#screen = { kind: 'call', view };
    this.#options.root.replaceChildren(view.element);
  }

  /** Through the pasted link's private inbox, else the one kept for that contact, else the key. */
  async #request(person: ContactLink, text: string | undefined): Promise<boolean> {
    const people = this.#people();
    if (people === undefined) throw new Error('not connected for calls yet');
    const to =
      person.inbox === undefined
        ? this.#book.reach(person.key)
        : { key: person.key, name: '', inbox: person.inbox };
    return people.requestContact(to, text === undefined ? {} : { text });
  }

  #readName(): string {
    try {
      return this.#options.storage?.getItem(NAME_KEY) ?? '';
    } catch {
      return '';
    }
  }

  #saveName(name: string): void {
    try {
      this.#options.storage?.setItem(NAME_KEY, name);
    } catch (error) {
      console.warn(`name not remembered: ${describeError(error)}`);
    }
  }
}
