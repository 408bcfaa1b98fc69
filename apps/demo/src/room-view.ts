import type { ClientId, Room } from '@sigmesh/client';
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
}

type Handlers = {
  [T in AppMessage['type']]: (message: Extract<AppMessage, { type: T }>, from: ClientId) => void;
};

/** The room screen: wires the room's events to the peers list, chat, files and calls. */
export function renderRoomView(options: RoomViewOptions): HTMLElement {
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
  const calls = new CallManager(room, peers, media, {
    changed: () => redraw(),
    note: (text) => chat.addNote(text),
    error: (text) => notices.error(text),
  });
  const peerList = new PeerList(selfName, peers, calls);
  const controls = new CallControls(calls, peers);
  const redraw = (): void => {
    peerList.render();
    controls.render();
  };
  peers.onChange(redraw);

  const handlers = {
    hello: (message, from) => {
      const known = peers.get(from)?.name;
      peers.setName(from, message.name);
      media.rename(from, message.name);
      if (known === undefined) chat.addNote(`${message.name} joined.`);
    },
    chat: (message, from) => chat.addMessage(peers.name(from), message.text, false),
    'file-start': (message, from) => incoming.onMessage(message, from),
    'file-end': (message, from) => incoming.onMessage(message, from),
    'file-cancel': (message, from) => incoming.onMessage(message, from),
    'file-reject': (message, from) => outgoing.onAnswer(message, from),
    'file-received': (message, from) => outgoing.onAnswer(message, from),
    'call-invite': (message, from) => calls.onMessage(message, from),
    'call-accept': (message, from) => calls.onMessage(message, from),
    'call-decline': (message, from) => calls.onMessage(message, from),
    'call-end': (message, from) => calls.onMessage(message, from),
    'screen-end': (message, from) => calls.onMessage(message, from),
  } satisfies Handlers;

  const unsubscribe = [
    room.on('peer-state', (info) => peers.update(info)),
    room.on('peer-join', (id) => {
      const info = room.peers().find((peer) => peer.id === id);
      if (info !== undefined) peers.update(info);
      sendAppMessage(room, { type: 'hello', name: selfName }, id).catch((error: unknown) =>
        notices.error(`Could not greet a new peer: ${describeError(error)}`),
      );
    }),
    room.on('peer-leave', (id) => {
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
  const leave = h(
    'button',
    { type: 'button', class: 'button small danger', 'data-action': 'leave' },
    'Leave',
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
        room.encrypted
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
      h('div', { class: 'topbar-actions' }, copy, leave),
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
  leave.addEventListener('click', () => {
    window.removeEventListener('pagehide', close);
    close();
    view.remove();
    options.onLeave();
  });
  window.addEventListener('pagehide', close, { once: true });
  for (const info of room.peers()) peers.update(info);
  redraw();
  chat.addNote(`You joined as ${selfName}. Waiting for others…`);
  return view;
}
