import { joinRoom } from '@sigmesh/client';
import { describeError } from './describe-error.js';
import { renderJoinScreen, type JoinChoice } from './join-screen.js';
import { parseRoomLink, roomLinkHash } from './room-link.js';
import { renderRoomView } from './room-view.js';

/** Rooms of this app never meet rooms of other sigmesh apps with the same name. */
const APP_ID = 'sigmesh-demo';
const NAME_KEY = 'sigmesh-demo:name';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
showJoin(root);

/** The join screen, prefilled from the link (`#room=NAME&pw=1`) and the remembered name. */
function showJoin(into: HTMLElement): void {
  const screen = renderJoinScreen({
    link: parseRoomLink(location.hash),
    name: readName(),
    // The node serving this page; the client learns the others from its /nodes.
    nodes: [location.origin],
    join: (choice) => enter(into, choice),
  });
  into.replaceChildren(screen);
  screen.querySelector<HTMLInputElement>('input:invalid, input')?.focus();
}

async function enter(into: HTMLElement, choice: JoinChoice): Promise<void> {
  const room = await joinRoom({
    appId: APP_ID,
    room: choice.room,
    nodes: choice.nodes,
    ...(choice.password === undefined ? {} : { password: choice.password }),
  });
  saveName(choice.name);
  // The link to share: the room, and whether it needs a password, never the password itself.
  history.replaceState(
    null,
    '',
    roomLinkHash({ room: choice.room, passwordNeeded: choice.password !== undefined }),
  );
  document.title = `${choice.room} · sigmesh`;
  into.replaceChildren(
    renderRoomView({
      room,
      roomName: choice.room,
      selfName: choice.name,
      onLeave: () => {
        document.title = 'sigmesh';
        showJoin(into);
      },
    }),
  );
}

function readName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

function saveName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch (error) {
    console.warn(`name not remembered: ${describeError(error)}`);
  }
}
