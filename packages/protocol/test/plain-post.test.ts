import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { utf8 } from '../src/encoding.js';
import { encodeChallenge, encodeChallengeFields, POW_MAC_BYTES } from '../src/pow-challenge.js';
import { joinMemberId } from '../src/join-member.js';
import { parseNodeInfo, parseWelcomeEvent } from '../src/messages.js';
import {
  formatPlainPost,
  isPlainPostType,
  parsePlainPost,
  PLAIN_POST_HEAD_MAX_BYTES,
} from '../src/plain-post.js';

const token = 'AQID_-abc.12345';
const session = 'c2Vzc2lvbi10b2tlbi0xMjM0';

test('a plain post round-trips: the head lines out, the JSON body as its exact bytes', () => {
  fc.assert(
    fc.property(
      fc.option(fc.stringMatching(/^[A-Za-z0-9_.-]{1,128}$/), { nil: undefined }),
      fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { nil: undefined }),
      fc.string({ unit: 'grapheme' }),
      (t, s, json) => {
        const result = parsePlainPost(utf8(formatPlainPost(t, s, json)));
        assert.ok(result.ok);
        assert.equal(result.value.token, t);
        assert.equal(result.value.session, s);
        assert.deepEqual(result.value.body, utf8(json));
      },
    ),
  );
});

test('the body may hold newlines: only the first two end head lines', () => {
  const result = parsePlainPost(utf8(formatPlainPost(token, session, '{"data":"a\\nb"}\n')));
  assert.ok(result.ok);
  assert.equal(new TextDecoder().decode(result.value.body), '{"data":"a\\nb"}\n');
});

test('a body without the two head lines, or with other characters in them, is BAD_REQUEST', () => {
  for (const bad of [
    '{"data":1}',
    `${token}\n{"data":1}`,
    `PoW ${token}\n${session}\n{}`,
    `${token}\n${session}\r\n{}`,
    `${'a'.repeat(PLAIN_POST_HEAD_MAX_BYTES)}\n\n{}`,
  ]) {
    const result = parsePlainPost(utf8(bad));
    assert.equal(result.ok, false, bad);
    assert.equal(!result.ok && result.code, 'BAD_REQUEST');
  }
});

test('the plain form is text/plain as browsers send it, with or without charset=UTF-8', () => {
  for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'Text/Plain; charset=utf-8'])
    assert.ok(isPlainPostType(type), type);
  for (const type of [undefined, 'application/json', 'text/plain; charset=latin1', 'text/html'])
    assert.equal(isPlainPostType(type), false, String(type));
});

test('joinMemberId is hex(SHA-256("sigmesh-member:v1\\n" + token))[0:32]', () => {
  const expected = createHash('sha256')
    .update(`sigmesh-member:v1\n${token}`)
    .digest('hex')
    .slice(0, 32);
  assert.equal(joinMemberId(token), expected);
  assert.notEqual(joinMemberId(token), joinMemberId(`${token}0`));
});

test('a welcome may carry the id of the hello the join published; anything else there is refused', () => {
  const welcome = {
    peerId: 'a'.repeat(32),
    session,
    room: 'b'.repeat(40),
    nodeId: 'c'.repeat(64),
    members: [],
    heartbeatMs: 15000,
    pow: { challenge: challengeText(), difficulty: 1, scope: 'room-post' },
  };
  const parse = (extra: object) => parseWelcomeEvent({ ...welcome, ...extra });
  const plain = parse({});
  assert.ok(plain.ok);
  assert.equal(plain.value.hello, undefined);
  const withHello = parse({ hello: 'd'.repeat(32) });
  assert.ok(withHello.ok);
  assert.equal(withHello.value.hello, 'd'.repeat(32));
  assert.equal(parse({ hello: 42 }).ok, false);
});

test('node info features: known names kept, unknown ones ignored, absent on older nodes', () => {
  const info = (features?: unknown) => ({
    node: { id: 'n', version: '1', publicUrl: 'http://x' },
    pow: { price: 1, ttl: 60, refused: { code: 'NODE_OVERLOADED', retryAfter: 5 } },
    load: { cpu: 0, mem: 0, smoothed: 0 },
    limits: { maxMessageBytes: 1024 },
    ...(features === undefined ? {} : { features }),
  });
  const old = parseNodeInfo(info());
  assert.ok(old.ok);
  assert.equal(old.value.features, undefined);
  const fresh = parseNodeInfo(info(['join-hello', 'teleport', 'plain-post']));
  assert.ok(fresh.ok);
  assert.deepEqual(fresh.value.features, ['plain-post', 'join-hello']);
});

function challengeText(): string {
  const signed = encodeChallengeFields({
    version: 1,
    issuedAt: 1_700_000_000,
    ttl: 60,
    difficulty: 1,
    scopeTag: new Uint8Array(8),
    nonce: new Uint8Array(8),
  });
  return encodeChallenge(signed, new Uint8Array(POW_MAC_BYTES));
}
