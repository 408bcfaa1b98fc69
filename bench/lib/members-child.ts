// Room members in their own process: opens N event streams to one server and counts the
// `message` events they receive, reporting to the parent once a target count is reached.
import { hrtime } from 'node:process';
import { serveParent, tellParent } from './child-process.js';
import { KeepAliveConnection } from './keepalive-connection.js';
import { joinToken } from './pow-tokens.js';
import { openSseMember, type SseMember } from './sse-member.js';

const members: SseMember[] = [];
let received = 0;
let target = Number.POSITIVE_INFINITY;

function onMessages(count: number): void {
  received += count;
  if (received >= target) {
    target = Number.POSITIVE_INFINITY;
    tellParent({ type: 'reached', at: hrtime.bigint().toString(), received });
  }
}

async function open(
  port: number,
  room: string,
  count: number,
  sigmesh: boolean,
  concurrency: number,
  reuseBuffer: boolean,
): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      // Join tokens are one per stream (each challenge is single-use); difficulty 1 costs one hash.
      const connection = sigmesh ? await KeepAliveConnection.open(port) : undefined;
      try {
        while (next < count) {
          next++;
          const query =
            connection === undefined
              ? ''
              : `?pow=${encodeURIComponent(await joinToken(connection, room))}`;
          members.push(
            await openSseMember(port, `/room/${room}${query}`, onMessages, 60_000, { reuseBuffer }),
          );
          if (members.length % 2000 === 0)
            process.stdout.write(
              `    … ${members.length} members open (${Math.round((performance.now() - started) / 1000)} s)\n`,
            );
        }
      } finally {
        connection?.close();
      }
    }),
  );
  return performance.now() - started;
}

serveParent(async (message) => {
  switch (message.type) {
    case 'open': {
      const ms = await open(
        Number(message.port),
        String(message.room),
        Number(message.count),
        message.sigmesh === true,
        Number(message.concurrency ?? 32),
        message.reader === 'reused',
      );
      return { opened: members.length, ms };
    }
    case 'arm':
      received = 0;
      target = Number(message.target);
      return { armed: target };
    case 'count':
      return { received, open: members.filter((member) => !member.socket.destroyed).length };
    case 'close':
      for (const member of members.splice(0)) member.socket.destroy();
      return { closed: true };
    default:
      throw new Error(`members-child: unknown request ${String(message.type)}`);
  }
});
