import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The baseline for the node-core benchmarks: a minimal `node:http` server with sigmesh's room
 * wire behaviour and nothing else. `GET /room/HASH` streams server-sent events (`welcome` with
 * peer id, session and the member list, then `join`/`leave`/`message`/`heartbeat`); `POST
 * /room/HASH` with `{ data, to? }` fans the message out and answers `{ id, delivered }`.
 * No proof-of-work, no session check, no CORS, no framework: what sigmesh costs on top of
 * this is what the benchmarks measure. Each member's unsent bytes are bounded the same way
 * as in sigmesh (a write that would pass the bound cuts the member), so both servers do the
 * same work per delivery.
 */
export interface RawSseServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly heartbeatMs?: number;
  readonly memberQueueBytes?: number;
  readonly maxBodyBytes?: number;
  /**
   * False: joins are not announced to the room (no `join` events). Only for filling very large
   * rooms in the fan-out benchmark: the baseline announces each join to every member, one write
   * each, so filling a room of N costs it O(N²) writes (10,000 members: over 13 minutes).
   * Fan-out itself is the same either way.
   */
  readonly announceJoins?: boolean;
}

/** A running baseline server. */
export interface RawSseServer {
  address(): { host: string; port: number };
  stats(): { members: number; messages: number; deliveries: number; cut: number };
  close(): Promise<void>;
}

interface RawMember {
  readonly peerId: string;
  readonly session: string;
  readonly res: ServerResponse;
  closed: boolean;
}

const ROOM_PATH = /^\/room\/([0-9a-f]{40})(?:\?.*)?$/;

/** Starts the baseline server; resolves once it listens. */
export async function startRawSseServer(options: RawSseServerOptions = {}): Promise<RawSseServer> {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const queueBytes = options.memberQueueBytes ?? 64 * 1024;
  const maxBody = options.maxBodyBytes ?? 1024;
  const announceJoins = options.announceJoins ?? true;
  const rooms = new Map<string, Map<string, RawMember>>();
  const sessions = new Map<string, RawMember>();
  const stats = { members: 0, messages: 0, deliveries: 0, cut: 0 };

  const chunk = (event: string, data: unknown): Buffer =>
    Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  const send = (member: RawMember, bytes: Buffer): boolean => {
    if (member.closed) return false;
    if (member.res.writableLength + bytes.length > queueBytes) {
      member.closed = true;
      stats.cut++;
      member.res.destroy();
      return false;
    }
    member.res.write(bytes);
    return true;
  };

  const fanOut = (
    members: Map<string, RawMember>,
    bytes: Buffer,
    except: string | undefined,
  ): number => {
    let delivered = 0;
    for (const member of members.values())
      if (member.peerId !== except && send(member, bytes)) delivered++;
    stats.deliveries += delivered;
    return delivered;
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': bytes.length,
    });
    res.end(bytes);
  };

  const join = (room: string, res: ServerResponse): void => {
    let members = rooms.get(room);
    if (members === undefined) {
      members = new Map();
      rooms.set(room, members);
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const member: RawMember = {
      peerId: randomBytes(16).toString('hex'),
      session: randomBytes(18).toString('base64url'),
      res,
      closed: false,
    };
    const peers = [...members.keys()];
    members.set(member.peerId, member);
    sessions.set(member.session, member);
    stats.members++;
    const roomMembers = members;
    res.on('close', () => {
      member.closed = true;
      if (roomMembers.get(member.peerId) !== member) return;
      roomMembers.delete(member.peerId);
      sessions.delete(member.session);
      stats.members--;
      if (roomMembers.size === 0) rooms.delete(room);
      else fanOut(roomMembers, chunk('leave', { peerId: member.peerId }), undefined);
    });
    send(
      member,
      chunk('welcome', {
        peerId: member.peerId,
        session: member.session,
        room,
        nodeId: 'raw',
        members: peers,
        heartbeatMs,
        pow: null,
      }),
    );
    if (announceJoins) fanOut(members, chunk('join', { peerId: member.peerId }), member.peerId);
  };

  const post = (room: string, req: IncomingMessage, res: ServerResponse): void => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size <= maxBody) parts.push(part);
    });
    req.on('end', () => {
      if (size > maxBody)
        return json(res, 413, { code: 'BODY_TOO_LARGE', message: 'body too large' });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8'));
      } catch {
        return json(res, 400, { code: 'BAD_JSON', message: 'the body is not valid JSON' });
      }
      if (typeof body !== 'object' || body === null || !('data' in body))
        return json(res, 400, { code: 'BAD_REQUEST', message: 'need { data }' });
      const to = 'to' in body && typeof body.to === 'string' ? body.to : undefined;
      const session = req.headers['sigmesh-session'];
      const from = typeof session === 'string' ? (sessions.get(session)?.peerId ?? 'raw') : 'raw';
      const id = randomBytes(16).toString('hex');
      const bytes = chunk(
        'message',
        to === undefined ? { id, from, data: body.data } : { id, from, to, data: body.data },
      );
      stats.messages++;
      const members = rooms.get(room);
      let delivered = 0;
      if (members !== undefined && to !== undefined) {
        const target = members.get(to);
        delivered = target !== undefined && send(target, bytes) ? 1 : 0;
        stats.deliveries += delivered;
      } else if (members !== undefined) {
        delivered = fanOut(members, bytes, from);
      }
      json(res, 200, { id, delivered });
    });
  };

  const server = createServer((req, res) => {
    const match = ROOM_PATH.exec(req.url ?? '');
    const room = match?.[1];
    if (room !== undefined && req.method === 'GET') return join(room, res);
    if (room !== undefined && req.method === 'POST') return post(room, req, res);
    if (req.method === 'GET' && (req.url === '/' || req.url === ''))
      return json(res, 200, { node: { id: 'raw' } });
    req.resume();
    json(res, 404, { code: 'NOT_FOUND', message: 'no route' });
  });
  // Long-lived event streams: no request or keep-alive timeouts cutting them mid-benchmark.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 60_000;

  const heartbeat = setInterval(() => {
    const bytes = chunk('heartbeat', { ts: Date.now() });
    for (const members of rooms.values())
      for (const member of members.values()) send(member, bytes);
  }, heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: () => ({ host: bound.address, port: bound.port }),
    stats: () => ({ ...stats }),
    close: async () => {
      clearInterval(heartbeat);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Run directly: `node --conditions=source --import tsx bench/baseline/raw-sse-server.ts [port]`.
if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const server = await startRawSseServer({ port: Number(process.argv[2] ?? 0) });
  const { host, port } = server.address();
  process.stdout.write(`raw SSE baseline listening on http://${host}:${port}\n`);
}
