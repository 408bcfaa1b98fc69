/**
 * Issue 11, finding 4: a room post whose body is not valid UTF-8 is refused (`BAD_UTF8`), not
 * relayed with U+FFFD in place of the bytes the sender paid for (RFC 8259 §8.1: JSON exchanged
 * between systems is UTF-8; RFC 3629 §3 forbids overlongs and surrogates).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { challengeFor, rawRequest, solveToken } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'utf8');

async function paidPost(baseUrl: string, session: string, body: Buffer) {
  const { challenge } = await challengeFor(baseUrl, 'room-post');
  return rawRequest(`${baseUrl}/room/${room}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'sigmesh-session': session,
      authorization: `PoW ${await solveToken(challenge, body)}`,
    },
    body,
  });
}

test('room posts that are not valid UTF-8 are refused with BAD_UTF8 and reach nobody', async (t) => {
  const node = await startTestNode(t);
  const sender = await joinRoom(node.url(), room);
  const listener = await joinRoom(node.url(), room);
  t.after(() => {
    sender.close();
    listener.close();
  });
  const json = (inside: number[]): Buffer =>
    Buffer.concat([Buffer.from('{"data":"'), Buffer.from(inside), Buffer.from('"}')]);
  const invalid = {
    'a lone continuation byte': [0x80],
    'a truncated sequence': [0xe2, 0x82],
    'an overlong slash': [0xc0, 0xaf],
    'an encoded surrogate': [0xed, 0xa0, 0x80],
    'a byte never used in UTF-8': [0xff],
  };
  for (const [what, bytes] of Object.entries(invalid)) {
    const response = await paidPost(node.url(), sender.welcome.session, json(bytes));
    assert.equal(response.status, 400, what);
    assert.equal((response.json() as { code: string }).code, 'BAD_UTF8', what);
  }
  // Valid multi-byte text still goes through, byte for byte.
  const ok = await paidPost(node.url(), sender.welcome.session, json([0xe2, 0x82, 0xac]));
  assert.equal(ok.status, 200);
  const event = JSON.parse((await listener.next('message')).data) as { data: string };
  assert.equal(event.data, '€');
  assert.equal(listener.messages().length, 1, 'only the valid post was relayed');
});
