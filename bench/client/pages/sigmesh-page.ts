// A sigmesh page: what an app does to reach a peer — joinRoom, then wait for `peer-join` (the
// data channel is open). The library is the real browser bundle, loaded before this script.
import type * as SigmeshClient from '@sigmesh/client';
import { readPageConfig } from './page-config.js';
import { mark } from './page-marks.js';

mark('script-start');
const config = readPageConfig('sigmesh');
const sigmesh = (window as unknown as { sigmesh: typeof SigmeshClient }).sigmesh;

async function main(): Promise<void> {
  const room = await sigmesh.joinRoom({
    appId: config.appId,
    room: config.room,
    nodes: config.nodes,
    ...(config.password === undefined ? {} : { password: config.password }),
  });
  mark('join-resolved', room.nodes.join(' '));
  room.on('peer-join', (peerId) => mark('peer-join', peerId));
  room.on('error', (error) => mark('error', error.message));
  (window as unknown as { room: SigmeshClient.Room }).room = room;
}

main().catch((error: unknown) => mark('error', String(error)));
