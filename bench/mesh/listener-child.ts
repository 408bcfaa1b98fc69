// One room member in its own process, reporting each probe's arrival time (process.hrtime, i.e.
// CLOCK_MONOTONIC, the same clock as the parent's). Its own event loop wakes on its own socket,
// so two listeners' arrival times are not serialized through one load-generator loop.
import { serveParent, tellParent } from '../lib/child-process.js';
import { openRoomStream, type RoomStream } from './room-stream.js';

let stream: RoomStream | undefined;

serveParent(async (message) => {
  if (message.type === 'join') {
    stream = await openRoomStream(Number(message.port), String(message.room));
    stream.onMessage = ({ at, data }) => {
      const seq = (data as { seq?: unknown }).seq;
      if (typeof seq === 'number') tellParent({ type: 'arrival', seq, at });
    };
    return { peerId: stream.peerId };
  }
  if (message.type === 'leave') {
    stream?.close();
    return {};
  }
  throw new Error(`listener-child: unknown request ${String(message.type)}`);
});
