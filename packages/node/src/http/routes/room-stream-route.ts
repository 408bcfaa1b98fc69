import {
  joinMemberId,
  parseRoomHash,
  sigmeshError,
  utf8,
  type WelcomeEvent,
} from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../../pow/client-key.js';
import type { NodeContext } from '../../node-context.js';
import { sseWelcome } from '../../rooms/sse-chunk.js';
import { inboxRole } from '../inbox-role.js';
import { joinHello } from '../join-hello.js';
import { requestPowToken } from '../request-pow-token.js';

/**
 * `GET /room/HASH`: joins the room and streams its events as server-sent events. The first
 * event, `welcome`, gives the member its peer id and the session token its posts must carry.
 * PoW (scope `room-join`, bound to the room hash) is checked before anything is allocated.
 * The member id is derived from the PoW token ({@link joinMemberId}), so a client can sign a
 * hello for it in advance and carry it in the join (`?hello=`, {@link joinHello}): the node
 * publishes it as the member's first message right after announcing the join.
 */
export function registerRoomStreamRoute(app: FastifyInstance, ctx: NodeContext): void {
  app.get<{ Params: { hash: string } }>('/room/:hash', async (request, reply) => {
    const room = parseRoomHash(request.params.hash);
    if (!room.ok) throw sigmeshError(room.code, room.message);
    // A stopping node takes no joins: say so before the client's proof-of-work is spent.
    ctx.rooms.checkOpen();
    const key = clientKey(request.ip);
    // No member exists yet: a join is priced for its address (against the address allowance).
    const token = requestPowToken(request);
    ctx.pow.check(token, 'room-join', { address: key }, utf8(room.value));
    const hello = joinHello(request.raw.url ?? '', ctx.config.maxMessageBytes);
    const role = inboxRole({
      room: room.value,
      owner: (request.query as Record<string, unknown>).owner,
      token,
      nodeId: ctx.identity.id,
      now: ctx.now(),
      windowMs: ctx.config.inboxProofWindowMs,
    });
    ctx.rooms.checkJoin(room.value, key, role);

    reply.hijack();
    const res = reply.raw;
    // Hijacked replies skip Fastify's send path, so carry over what hooks set (CORS) by hand.
    const hookHeaders = Object.entries(reply.getHeaders()).filter(
      (entry): entry is [string, string | number | string[]] => entry[1] !== undefined,
    );
    res.writeHead(200, {
      ...Object.fromEntries(hookHeaders),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const member = ctx.rooms.join(
      room.value,
      key,
      res,
      token === undefined ? undefined : joinMemberId(token),
      role,
    );
    res.on('close', () => ctx.rooms.leave(member));
    // Presence held back while the stream was full goes out once it drains.
    res.on('drain', () => ctx.rooms.drained(member));
    // Published as this member only under the id the client signed it for (a taken id, which
    // only a replayed token could ask for, gets a random one: the client then posts its hello).
    const published =
      hello !== undefined && token !== undefined && member.peerId === joinMemberId(token);
    const helloId = published ? ctx.rooms.newMessageId() : undefined;
    const welcome: Omit<WelcomeEvent, 'members'> = {
      peerId: member.peerId,
      session: member.session,
      room: room.value,
      nodeId: ctx.identity.id,
      heartbeatMs: ctx.config.heartbeatMs,
      pow: ctx.pow.offer('room-post', { address: key, member: member.peerId }),
      ...(helloId === undefined ? {} : { hello: helloId }),
      ...(role === undefined ? {} : { role }),
    };
    // An inbox's guests are told of nobody (its owners see every join).
    const present = role === 'guest' ? [] : ctx.rooms.peerListBytes(room.value, member.peerId);
    ctx.rooms.send(member, sseWelcome(welcome, present));
    ctx.rooms.announceJoin(member);
    // After the write turn that tells the members of the join (queued first), so that in rooms
    // small enough to be told at once they hear of the member before its first message.
    if (helloId !== undefined)
      setImmediate(() => {
        if (!member.closed)
          ctx.rooms.publish(room.value, member.peerId, hello!.data, undefined, helloId);
      });
  });
}
