import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { test, type TestContext } from 'node:test';
import { startTestNode } from '../../helpers/test-node.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * A TCP proxy to `port` that passes the dialer's bytes at once and splits the accepting node's
 * answer into WebSocket frames (they are unmasked, RFC 6455 §5.1, so each can be read): frames
 * pass until `holdFrom(frame)` says so; from that frame on they wait for `release()`. `sent()`
 * counts the dialer's bytes.
 */
async function holdingProxy(
  t: TestContext,
  port: number,
  holdFrom: (frame: Buffer) => boolean,
): Promise<{ url: string; held(): number; sent(): number; release(): void }> {
  let sent = 0;
  let downstream: Socket | undefined;
  const held: Buffer[] = [];
  let holding = false;
  const server = createServer((socket) => {
    downstream = socket;
    const upstream = connect(port, '127.0.0.1');
    socket.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      upstream.write(chunk);
    });
    let pending = Buffer.alloc(0);
    let upgraded = false;
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.write(pending.subarray(0, end + 4));
        pending = pending.subarray(end + 4);
        upgraded = true;
      }
      for (let size = frameSize(pending); size !== undefined; size = frameSize(pending)) {
        const frame = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (!holding && holdFrom(frame)) holding = true;
        if (holding) held.push(frame);
        else socket.write(frame);
      }
    });
    socket.on('close', () => upstream.destroy());
    socket.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    downstream?.destroy();
    server.close();
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => held.length,
    sent: () => sent,
    release() {
      holding = false;
      for (const frame of held.splice(0)) downstream?.write(frame);
    },
  };
}

/** The length of the unmasked WebSocket frame at the start of `bytes`, once all of it is there. */
function frameSize(bytes: Buffer): number | undefined {
  if (bytes.length < 2) return undefined;
  const short = bytes[1]! & 0x7f;
  const [header, length] =
    short === 126
      ? [4, bytes.length < 4 ? Infinity : bytes.readUInt16BE(2)]
      : short === 127
        ? [10, bytes.length < 10 ? Infinity : Number(bytes.readBigUInt64BE(2))]
        : [2, short];
  return bytes.length >= header + length ? header + length : undefined;
}

const isAuth = (frame: Buffer): boolean => frame.includes('"t":"auth"');

// Node A dials node B twice (a room's dial and a verification dial can be in flight together).
// The handshakes complete in one order at A and in the other at B; each end then sees a
// duplicate and closes one link. If the two ends close different links, none is left, and a
// duplicate's close is never redialed.
test('a node dialing another twice, the handshakes completing in opposite orders at the two ends: exactly one link survives, the same at both ends', async (t) => {
  const a = await startTestNode(t);
  const b = await startTestNode(t);
  // First link: B opens it (A's auth reaches B) but A waits, B's auth held in the proxy.
  const first = await holdingProxy(t, b.address().port, isAuth);
  // Second link: completes at both ends, but what B sends after its auth (the close of a
  // duplicate, or its first frames) is held, so A cannot hear what B decided yet.
  let authPassed = false;
  const second = await holdingProxy(t, b.address().port, (frame) => {
    if (authPassed) return true;
    authPassed = isAuth(frame);
    return false;
  });

  const dialFirst = a.connect(first.url);
  dialFirst.catch(() => undefined);
  await waitFor(() => first.held() > 0 && b.meshStats().links === 1, 'the first link open at B');
  assert.equal(a.meshStats().links, 0, 'A still waits for B’s auth on the first link');

  assert.equal(await a.connect(second.url), b.id(), 'the second link opens at A');
  await waitFor(() => second.held() > 0, 'B to decide about the second link');
  // A now opens the first link too, while the second is still open at A, and closes one of
  // them (or starts using the first): either way it sends something on the first link.
  const sentBefore = first.sent();
  first.release();
  await waitFor(() => first.sent() > sentBefore, 'A to decide about the first link');
  second.release();

  await waitFor(
    () => a.meshStats().links === 1 && b.meshStats().links === 1,
    'one link at each end',
    3_000,
  ).catch((error: unknown) => {
    const counts = `A has ${a.meshStats().links} links, B has ${b.meshStats().links}`;
    throw new Error(`${(error as Error).message}: ${counts}`);
  });
  // Closes still in flight (a few milliseconds on loopback) leave it alone.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(a.meshStats().links, 1);
  assert.equal(b.meshStats().links, 1);
});
