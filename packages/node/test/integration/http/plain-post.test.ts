/**
 * Issue 13 part 4: paid POSTs in the plain form (`text/plain`, the PoW token and session at the
 * head of the body), which browsers send cross-origin without a CORS preflight. The proof binds
 * the JSON after the head, exactly as in the header form (packages/protocol/src/plain-post.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkSolution,
  deriveRoomHash,
  formatPlainPost,
  parsePowToken,
  utf8,
} from '@sigmesh/protocol';
import { challengeFor, rawRequest, solveToken } from '../../helpers/raw-http.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'plain-post');

/** A plain post whose token is solved over `bound` (the JSON body unless a test says otherwise). */
async function plainPost(
  url: string,
  scope: 'room-post' | 'token',
  session: string | undefined,
  json: string,
  options: { bound?: string; chunked?: boolean; type?: string } = {},
) {
  let token = '';
  for (let tries = 0; tries < 20 && token === ''; tries++) {
    const { challenge } = await challengeFor(new URL(url).origin, scope);
    const solved = await solveToken(challenge, utf8(options.bound ?? json));
    // A token solved over other bytes must not solve for the JSON too, nor for the room hash a
    // post may bind instead (at a low price one in `difficulty` would, and a refusal case would
    // pass by chance).
    const room = new URL(url).pathname.split('/')[2];
    const alsoTaken = [json, ...(scope === 'room-post' && room !== undefined ? [room] : [])];
    if (options.bound === undefined || !alsoTaken.some((bytes) => solvesFor(solved, utf8(bytes))))
      token = solved;
  }
  assert.notEqual(token, '', 'every token solved over other bytes also solved for the JSON');
  return rawRequest(url, {
    method: 'POST',
    headers: {
      'content-type': options.type ?? 'text/plain;charset=UTF-8',
      accept: 'application/json',
      ...(options.chunked === true ? { 'transfer-encoding': 'chunked' } : {}),
    },
    body: formatPlainPost(token, session, json),
  });
}

/** True when `token` also solves its challenge for `bound`. */
function solvesFor(token: string, bound: Uint8Array): boolean {
  const parsed = parsePowToken(token);
  assert.ok(parsed.ok);
  const { challenge, counter } = parsed.value;
  return checkSolution(challenge.bytes, challenge.difficulty, bound, counter);
}

const code = (response: { json(): unknown }): string => (response.json() as { code: string }).code;

for (const chunked of [false, true]) {
  // With a Content-Length the lean route answers; chunked, the Fastify route does.
  test(`a plain post is published like a JSON one (${chunked ? 'chunked: Fastify' : 'lean'} route)`, async (t) => {
    const node = await startTestNode(t);
    const alice = await joinRoom(node.url(), room);
    const bob = await joinRoom(node.url(), room);
    t.after(() => [alice, bob].forEach((member) => member.close()));
    const url = `${node.url()}/room/${room}`;
    const answer = await plainPost(url, 'room-post', alice.welcome.session, '{"data":"hi\\n"}', {
      chunked,
      type: 'text/plain',
    });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers['access-control-allow-origin'], '*');
    const { id, next } = answer.json() as { id: string; next: { scope: string } };
    assert.equal(next.scope, 'room-post');
    const atBob = JSON.parse((await bob.next('message')).data) as Record<string, unknown>;
    assert.deepEqual(atBob, { id, from: alice.peerId, data: 'hi\n' });
  });

  test(`a plain post is checked as a JSON one: proof over the JSON only, session, size (${chunked ? 'Fastify' : 'lean'})`, async (t) => {
    const node = await startTestNode(t, { maxMessageBytes: 64 });
    const alice = await joinRoom(node.url(), room);
    const bob = await joinRoom(node.url(), room);
    t.after(() => [alice, bob].forEach((member) => member.close()));
    const url = `${node.url()}/room/${room}`;
    const session = alice.welcome.session;
    const json = '{"data":1}';
    const cases: Array<[Promise<Awaited<ReturnType<typeof rawRequest>>>, number, string]> = [
      // A proof over the whole text (head included) is not a proof over the JSON.
      [
        plainPost(url, 'room-post', session, json, {
          chunked,
          bound: formatPlainPost('x.1', session, json),
        }),
        401,
        'POW_WRONG_SOLUTION',
      ],
      [
        plainPost(url, 'room-post', 'not-the-session', json, { chunked }),
        403,
        'ROOM_SESSION_INVALID',
      ],
      [plainPost(url, 'room-post', undefined, json, { chunked }), 403, 'ROOM_SESSION_INVALID'],
      [
        plainPost(url, 'room-post', session, JSON.stringify({ data: 'x'.repeat(64) }), { chunked }),
        413,
        'BODY_TOO_LARGE',
      ],
    ];
    for (const [answer, status, expected] of cases) {
      const response = await answer;
      assert.equal(code(response), expected);
      assert.equal(response.status, status, expected);
    }
    for (const body of ['{"data":1}', `PoW a.1\n${session}\n{"data":1}`]) {
      const malformed = await rawRequest(url, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          ...(chunked ? { 'transfer-encoding': 'chunked' } : {}),
        },
        body,
      });
      assert.equal(malformed.status, 400, body);
      assert.equal(code(malformed), 'BAD_REQUEST', body);
    }
    assert.deepEqual(bob.messages(), [], 'nothing reached the room');
  });
}

test('POST /token in the plain form answers credentials; its proof binds the JSON after the head', async (t) => {
  const node = await startTestNode(t);
  const alice = await joinRoom(node.url(), room);
  t.after(() => alice.close());
  const url = `${node.url()}/token?room=${room}`;
  const answer = await plainPost(url, 'token', alice.welcome.session, '{}');
  assert.equal(answer.status, 200, answer.body);
  assert.ok(Array.isArray((answer.json() as { iceServers: unknown }).iceServers));
  const wrong = await plainPost(url, 'token', alice.welcome.session, '{}', { bound: '{ }' });
  assert.equal(code(wrong), 'POW_WRONG_SOLUTION');
  const notJson = await plainPost(url, 'token', undefined, 'hello');
  assert.equal(code(notJson), 'BAD_JSON');
});
