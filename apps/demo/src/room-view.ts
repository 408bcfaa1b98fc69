import type { ClientId, PeerIdentity, Room } from '@sigmesh/client';
import { parseAppMessage, sendAppMessage, type AppMessage } from './app-messages.js';
import { CallControls } from './call-controls.js';
import { CallManager } from './call-manager.js';
import { ChatPanel } from './chat-panel.js';
import { describeError } from './describe-error.js';
import { h } from './element.js';
import { IncomingFiles } from './file-receive.js';
import { OutgoingFiles } from './file-send.js';
import { MediaGrid, tileLabel } from './media-grid.js';
import { NoticeBar } from './notice-bar.js';
import { PeerDirectory } from './peer-directory.js';
import { PeerList } from './peer-list.js';
import { roomLinkHash } from './room-link.js';

/** Connections that never opened send no `peer-leave`: the list is checked this often. */
const SYNC_MS = 2000;

export interface RoomViewOptions {
  readonly room: Room;
  readonly roomName: string;
  readonly selfName: string;
  /** Called after the user left (the view is gone by then). */
  readonly onLeave: () => void;
  /**
   * The room is a call between two people (`people.call` or an accepted ring): media starts by
   * itself (the caller invites, the callee accepts), and the view closes when the call ends.
   */
  readonly call?: { readonly role: 'caller' | 'callee'; readonly video: boolean };
  /** A peer that joined with a lasting identity told its name (known peers are kept from this). */
  readonly onPersonMet?: (key: string, name: string) => void;
}

type Handlers = {
  [T in AppMessage['type']]: (message: Extract<AppMessage, { type: T }>, from: ClientId) => void;
};

/** The room (or call) on screen. */
export interface RoomViewHandle {
  readonly element: HTMLElement;
  /** Leaves the room as the Leave button does (then `onLeave` runs). */
  leave(): void;
}

/** The room screen: wires the room's events to the peers list, chat, files and calls. */
export function renderRoomView(options: RoomViewOptions): RoomViewHandle {
  const { room, selfName } = options;
  const notices = new NoticeBar();
  const peers = new PeerDirectory();
  const media = new MediaGrid();
  const chat = new ChatPanel({
    send: (text) => {
      chat.addMessage(selfName, text, true);
      if (peers.openIds().length === 0) chat.addNote('Nobody else is here to read that yet.');
      sendAppMessage(room, { type: 'chat', text }).catch((error: unknown) =>
        notices.error(`Message not sent to everyone: ${describeError(error)}`),
      );
    },
    sendFiles: (files) => {
      for (const file of files)
        outgoing.send(file).catch((error: unknown) => notices.error(describeError(error)));
    },
  });
  const showCard = (card: { element: HTMLElement }): void => chat.addItem(card.element);
  const outgoing = new OutgoingFiles(room, peers, showCard);
  const incoming = new IncomingFiles(room, peers, showCard);
  const calls = new CallManager(
    room,
    peers,
    media,
    {
      changed: () => redraw(),
      note: (text) => chat.addNote(text),
      error: (text) => notices.error(text),
    },
    options.call?.video ?? true,
  );
  /** Lasting identities of the peers, by client id (a P-256 per-join key is not a person). */
  const identities = new Map<ClientId, string>();
  const names = new Map<ClientId, string>();
  const met = (id: ClientId): void => {
    const key = identities.get(id);
    const name = names.get(id);
    if (key !== undefined && name !== undefined) options.onPersonMet?.(key, name);
  };
  let callStarted = false;
  const peerList = new PeerList(selfName, peers, calls);
  const controls = new CallControls(calls, peers);
  const redraw = (): void => {
    peerList.render();
    controls.render();
    if (options.call === undefined) return;
    // A call between people ends with its media call: either side hung up.
    if (calls.inCall) callStarted = true;
    else if (callStarted && calls.incoming().length === 0) queueMicrotask(() => leave());
  };
  peers.onChange(redraw);

  const handlers = {
    hello: (message, from) => {
      const known = peers.get(from)?.name;
      peers.setName(from, message.name);
      media.rename(from, message.name);
      if (known === undefined) chat.addNote(`${message.name} joined.`);
      names.set(from, message.name);
      met(from);
    },
    chat: (message, from) => chat.addMessage(peers.name(from), message.text, false),
    'file-start': (message, from) => incoming.onMessage(message, from),
    'file-end': (message, from) => incoming.onMessage(message, from),
    'file-cancel': (message, from) => incoming.onMessage(message, from),
    'file-reject': (message, from) => outgoing.onAnswer(message, from),
    'file-received': (message, from) => outgoing.onAnswer(message, from),
    'call-invite': (message, from) => {
      calls.onMessage(message, from);
      // The ring was accepted already: take the media call at once.
      if (options.call?.role === 'callee') void calls.accept(from);
    },
    'call-accept': (message, from) => calls.onMessage(message, from),
    'call-decline': (message, from) => calls.onMessage(message, from),
    'call-end': (message, from) => calls.onMessage(message, from),
    'screen-end': (message, from) => calls.onMessage(message, from),
  } satisfies Handlers;

  const unsubscribe = [
    room.on('peer-state', (info) => peers.update(info)),
    room.on('peer-join', (id, identity: PeerIdentity | undefined) => {
      const info = room.peers().find((peer) => peer.id === id);
      if (info !== undefined) peers.update(info);
      if (identity?.algorithm === 'Ed25519') identities.set(id, identity.publicKey);
      met(id);
      sendAppMessage(room, { type: 'hello', name: selfName }, id).catch((error: unknown) =>
        notices.error(`Could not greet a new peer: ${describeError(error)}`),
      );
      if (options.call?.role === 'caller') void calls.start(id);
    }),
    room.on('peer-leave', (id) => {
      identities.delete(id);
      names.delete(id);
      if (options.call !== undefined && callStarted) queueMicrotask(() => leave());
      chat.addNote(`${peers.name(id)} left.`);
      calls.peerLeft(id);
      outgoing.peerLeft(id);
      incoming.peerLeft(id);
      peers.remove(id);
    }),
    room.on('message', (data, from) => {
      if (data instanceof Uint8Array) {
        incoming.onChunk(data, from);
        return;
      }
      const message = parseAppMessage(data);
      // The table is checked per type above; here each handler gets the message of its type.
      if (message !== undefined)
        (handlers[message.type] as (message: AppMessage, from: ClientId) => void)(message, from);
    }),
    room.on('stream', (stream, from, metadata) => {
      const kind = (metadata as { kind?: unknown } | null)?.kind === 'screen' ? 'screen' : 'camera';
      media.show(from, stream, kind, tileLabel(peers.name(from), kind));
    }),
    room.on('stream-removed', (stream, from) => media.remove(from, stream.id)),
    room.on('nodes', (urls) => showNodes(urls)),
    room.on('error', (error, peerId) =>
      notices.error(
        `${peerId === undefined ? '' : `${peers.name(peerId)}: `}${describeError(error)}`,
      ),
    ),
  ];
  const sync = setInterval(() => peers.sync(room.peers()), SYNC_MS);

  const nodesLine = h('p', { class: 'nodes-line muted' });
  const showNodes = (urls: readonly string[]): void => {
    nodesLine.textContent =
      urls.length === 0
        ? 'not joined on any node: reconnecting…'
        : `via ${urls.map((url) => new URL(url).host).join(', ')}`;
    nodesLine.title = urls.join('\n');
  };
  showNodes(room.nodes);

  const copy = h(
    'button',
    { type: 'button', class: 'button small', 'data-action': 'copy-link' },
    'Copy link',
  );
  copy.addEventListener('click', () => {
    const link = `${location.origin}${location.pathname}${roomLinkHash({ room: options.roomName, passwordNeeded: room.encrypted })}`;
    navigator.clipboard.writeText(link).then(
      () =>
        notices.info(
          room.encrypted ? 'Link copied. Send the password separately.' : 'Link copied.',
        ),
      () => notices.info(`Share this link: ${link}`),
    );
  });
  const leaveButton = h(
    'button',
    { type: 'button', class: 'button small danger', 'data-action': 'leave' },
    options.call === undefined ? 'Leave' : 'Hang up',
  );
  const view = h(
    'div',
    { class: 'room-view' },
    h(
      'header',
      { class: 'topbar' },
      h(
        'div',
        { class: 'room-title' },
        h('h1', {}, options.roomName),
        options.call !== undefined
          ? h(
              'span',
              {
                class: 'badge',
                title: 'A call between two people: end-to-end sealed with keys only the two hold',
              },
              'private call',
            )
          : room.encrypted
            ? h('span', { class: 'badge', title: 'Signaling is end-to-end encrypted' }, 'password')
            : h(
                'span',
                {
                  class: 'badge badge-open',
                  title:
                    'No password: the nodes relaying this room could read or alter how peers connect. Use a password for private calls.',
                },
                'open room',
              ),
        nodesLine,
      ),
      h('div', { class: 'topbar-actions' }, options.call === undefined ? copy : null, leaveButton),
    ),
    notices.element,
    h(
      'div',
      { class: 'layout' },
      h('aside', { class: 'sidebar' }, controls.element, peerList.element),
      h('div', { class: 'stage' }, media.element, chat.element),
    ),
  );
  const close = (): void => {
    clearInterval(sync);
    for (const off of unsubscribe) off();
    calls.dispose();
    outgoing.dispose();
    incoming.dispose();
    room.leave();
  };
  let left = false;
  const leave = (): void => {
    if (left) return;
    left = true;
    window.removeEventListener('pagehide', close);
    close();
    view.remove();
    options.onLeave();
  };
  leaveButton.addEventListener('click', leave);
  window.addEventListener('pagehide', close, { once: true });
  for (const info of room.peers()) peers.update(info);
  redraw();
  chat.addNote(
    options.call === undefined
      ? `You joined as ${selfName}. Waiting for others…`
      : `Connecting the call as ${selfName}…`,
  );
  return { element: view, leave };
}
