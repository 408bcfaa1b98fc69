import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { powScopes, type PostResult } from '@sigmesh/protocol';
import { postResultJson } from '../../src/http/post-result-json.js';

test('a post answer written out is JSON.stringify of it, byte for byte', () => {
  for (let i = 0; i < 1_000; i++) {
    const result: PostResult = {
      id: randomBytes(16).toString('hex'),
      delivered: i % 7 === 0 ? 0 : i * 1_013,
      next: {
        challenge: randomBytes(43).toString('base64url'),
        difficulty: 1 + ((i * 2_654_435_761) % (1 << 22)),
        scope: powScopes[i % powScopes.length]!,
      },
    };
    const json = postResultJson(result);
    assert.equal(json, JSON.stringify(result));
    assert.equal(json.length, Buffer.byteLength(json));
  }
});
