import type { ServerResponse } from 'node:http';
import { joinMemberId, type RoomHash, type WelcomeEvent } from '@sigmesh/protocol';
import type { NodeContext } from '../node-context.js';
import type { Member } from '../rooms/member.js';
import { sseWelcome } from '../rooms/sse-chunk.js';
import { inboxRole } from './inbox-role.js';
import { joinHello } from './join-hello.js';
import { takeStreamSocket } from './stream-socket.js';

/** A join as both routes read it (routes/room-stream-route.ts, lean-room-stream.ts). */
export interface JoinRequest {
  readonly room: RoomHash;
  /** The client's key (pow/client-key.ts): what its join is priced and capped by. */
  readonly key: string;
  readonly token: string | undefined;
  /** The raw request URL: the hello is read from it (join-hello.ts). */
  readonly rawUrl: string;
  /** The `owner` query parameter, as parsed: an inbox owner's proof. */
  readonly owner: unknown;
}

/**
 * `GET /room/HASH` after its path: checks the join — the node open, the PoW (scope `room-join`,
 * bound to the room hash) before anything is allocated, the hello, the inbox role, the room's
 * caps — and throws a SigmeshError at the first that fails. Then `open` writes the response head
 * (each route its own way, with writeStreamHead) and the member joins on that stream (its socket
 * alone, stream-socket.ts): the welcome first, with its id and session, then the join announced,
 * then the hello published as the member.
 *
 * The member id is derived from the PoW token ({@link joinMemberId}), so a client can sign a
 * hello for it in advance and carry it in the join (`?hello=`, {@link joinHello}): the node
 * publishes it as the member's first message right after announcing the join.
 */
export function joinRoomStream(
  ctx: NodeContext,
  join: JoinRequest,
  open: () => ServerResponse,
): void {
  const { room, key, token } = join;
  // A stopping node takes no joins: say so before the client's proof-of-work is spent.
  ctx.rooms.checkOpen();
  // No member exists yet: a join is priced for its address (against the address allowance).
  ctx.pow.check(token, 'room-join', { address: key }, room);
  const hello = joinHello(join.rawUrl, ctx.config.maxMessageBytes);
  const role = inboxRole({
    room,
    owner: join.owner,
    token,
    nodeId: ctx.identity.id,
    now: ctx.now(),
    windowMs: ctx.config.inboxProofWindowMs,
  });
  ctx.rooms.checkJoin(room, key, role);

  const res = open();
  // The member holds the connection alone where it can (stream-socket.ts), else the response.
  const stream = takeStreamSocket(res) ?? flattenHead(res);
  let member: Member;
  try {
    member = ctx.rooms.join(
      room,
      key,
      stream,
      token === undefined ? undefined : joinMemberId(token),
      role,
    );
  } catch (error) {
    // The head is out: the caller can answer nothing more, so the stream ends here.
    stream.destroy();
    throw error;
  }
  stream.on('close', () => ctx.rooms.leave(member));
  // Presence held back while the stream was full goes out once it drains.
  stream.on('drain', () => ctx.rooms.drained(member));
  // Published as this member only under the id the client signed it for (a taken id, which
  // only a replayed token could ask for, gets a random one: the client then posts its hello).
  const published =
    hello !== undefined && token !== undefined && member.peerId === joinMemberId(token);
  const helloId = published ? ctx.rooms.newMessageId() : undefined;
  const welcome: Omit<WelcomeEvent, 'members'> = {
    peerId: member.peerId,
    session: member.session,
    room,
    nodeId: ctx.identity.id,
    heartbeatMs: ctx.config.heartbeatMs,
    pow: ctx.pow.offer('room-post', { address: key, member: member.peerId }),
    ...(helloId === undefined ? {} : { hello: helloId }),
    ...(role === undefined ? {} : { role }),
  };
  // An inbox's guests are told of nobody (its owners see every join).
  const present = role === 'guest' ? [] : ctx.rooms.peerListBytes(room, member.peerId);
  ctx.rooms.send(member, sseWelcome(welcome, present));
  ctx.rooms.announceJoin(member);
  // After the write turn that tells the members of the join (queued first), so that in rooms
  // small enough to be told at once they hear of the member before its first message.
  if (helloId !== undefined)
    setImmediate(() => {
      if (!member.closed) ctx.rooms.publish(room, member.peerId, hello!.data, undefined, helloId);
    });
}

/**
 * The head of a room stream, after the CORS headers (written by writeStreamHead: the body is not
 * chunked and ends with the connection, so Node adds `Connection: close`).
 */
export const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
} as const;

/**
 * Node keeps a response's head (`_header`) for the response's life, as the string it was built
 * into: one concatenation per header line, ≈ 30 string pieces. A room stream lives as long as its
 * member, so its head is made one flat string (`Number()` flattens a string in place; the pieces
 * become garbage): ≈ 0.7 KB of heap per idle member. Nothing else changes: the head was already
 * written.
 */
function flattenHead(res: ServerResponse): ServerResponse {
  const head = (res as ServerResponse & { _header?: unknown })._header;
  if (typeof head === 'string') Number(head);
  return res;
}
