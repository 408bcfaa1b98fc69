import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leanJoinUrl } from '../../src/http/lean-room-stream.js';

const hash = 'ab'.repeat(20);

test('the common joins are answered before Fastify: a lowercase hash, a plain pow, hellos', () => {
  assert.deepEqual(leanJoinUrl(`/room/${hash}`), { room: hash, pow: undefined });
  assert.deepEqual(leanJoinUrl(`/room/${hash}?pow=abc.DEF_-1`), { room: hash, pow: 'abc.DEF_-1' });
  assert.deepEqual(leanJoinUrl(`/room/${hash}?pow=x.1&hello=%7B%22data%22%3A1%7D`), {
    room: hash,
    pow: 'x.1',
  });
  assert.deepEqual(leanJoinUrl(`/room/${hash}?hello=a&hello=b`), { room: hash, pow: undefined });
  assert.deepEqual(leanJoinUrl(`/room/${hash}?pow=`), { room: hash, pow: '' });
});

test('every other join is left to the Fastify route', () => {
  for (const url of [
    `/room/${hash.toUpperCase()}`,
    `/room/${hash}/`,
    `/room/${hash.slice(2)}`,
    `/room/${hash}?`,
    `/room/${hash}?owner=x`,
    `/room/${hash}?pow=a&owner=x`,
    `/room/${hash}?x=1`,
    `/room/${hash}?pow=a&pow=b`,
    `/room/${hash}?pow=a%2Eb`,
    `/room/${hash}?pow=a+b`,
    `/rooms/${hash}`,
    '/',
  ])
    assert.equal(leanJoinUrl(url), undefined, url);
});
