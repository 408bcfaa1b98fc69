/**
 * The lean room post (lean-room-post.ts), answered before Fastify, finds the client's address
 * itself: behind a trusted proxy (`--trust-proxy`) a post is priced for, and its proof bound to, the
 * first `X-Forwarded-For` entry, as Fastify's `request.ip` gives every other route; without
 * `--trust-proxy` a claimed address is ignored. A challenge is bound to one client address
 * (its scope tag), so which address a post was priced for shows in which proofs it takes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { rawRequest, solveToken } from '../../helpers/raw-http.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';

const room = deriveRoomHash('wire', 'forwarded-post');
const body = Buffer.from(JSON.stringify({ data: 'hello' }));
const CLAIMED = '203.0.113.9';

/** A room-post challenge from `GET /` as a request carrying `headers` is seen. */
async function challenge(base: string, headers: Record<string, string>): Promise<string> {
  const info = (
    await rawRequest(`${base}/`, { headers: { accept: 'application/json', ...headers } })
  ).json();
  return (info as { pow: { challenges: { 'room-post': string } } }).pow.challenges['room-post'];
}

/** Posts `body` with a proof of `offered` and the member's session; returns the answer's code. */
async function postWith(
  base: string,
  session: string,
  offered: string,
  headers: Record<string, string>,
): Promise<{ status: number; code: string | undefined }> {
  const answer = await rawRequest(`${base}/room/${room}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `PoW ${await solveToken(offered, body)}`,
      'sigmesh-session': session,
      ...headers,
    },
    body,
  });
  return { status: answer.status, code: (answer.json() as { code?: string }).code };
}

test('behind a trusted proxy a lean post pays from the first X-Forwarded-For address', async (t) => {
  const node = await startTestNode(t, { trustProxy: true });
  const base = node.url();
  const member = await joinRoom(base, room);
  t.after(() => member.close());
  const { session } = member.welcome;
  const forwarded = { 'x-forwarded-for': CLAIMED };

  assert.deepEqual(await postWith(base, session, await challenge(base, forwarded), forwarded), {
    status: 200,
    code: undefined,
  });
  // The first entry is the client's; the proxies after it are not.
  const chain = { 'x-forwarded-for': `${CLAIMED}, 10.0.0.1` };
  assert.equal(
    (await postWith(base, session, await challenge(base, forwarded), chain)).status,
    200,
  );
  // A proof bound to the forwarded address is not the proxy's own (the socket's) to spend.
  assert.deepEqual(await postWith(base, session, await challenge(base, forwarded), {}), {
    status: 401,
    code: 'POW_WRONG_SCOPE',
  });
  // …and one bound to the socket's address is not the forwarded client's.
  assert.equal(
    (await postWith(base, session, await challenge(base, {}), forwarded)).code,
    'POW_WRONG_SCOPE',
  );
});

test('without --trust-proxy a lean post ignores a claimed X-Forwarded-For', async (t) => {
  const node = await startTestNode(t, { trustProxy: false });
  const base = node.url();
  const member = await joinRoom(base, room);
  t.after(() => member.close());
  const claimed = { 'x-forwarded-for': CLAIMED };
  const offered = await challenge(base, {});
  assert.equal((await postWith(base, member.welcome.session, offered, claimed)).status, 200);
});
