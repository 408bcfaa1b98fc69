/** `GET /turn`: TURN credentials for unchanged apps, without proof-of-work, within an allowance. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { rawRequest } from '../../helpers/raw-http.js';
import { startTestNode } from '../../helpers/test-node.js';

interface Answer {
  iceServers: Array<{ urls: string[]; username?: string; credential?: string }>;
  ttl: number;
}

test('GET /turn answers REST credentials of this node’s TURN server, a few per minute per address', async (t) => {
  const secret = 'turn-route-test-secret';
  const node = await startTestNode(t, { turnSecret: secret, turnCredentialsPerMinute: 3 });
  for (let i = 0; i < 3; i++) {
    const answer = await rawRequest(`${node.url()}/turn`);
    assert.equal(answer.status, 200);
    assert.equal(
      answer.headers['access-control-allow-origin'],
      '*',
      'a page on any origin may read it',
    );
    const { iceServers, ttl } = answer.json() as Answer;
    const turn = iceServers.find((server) => server.username !== undefined)!;
    assert.ok(turn.urls.some((url) => url.startsWith('turn:')));
    assert.ok(ttl > 0);
    // TURN REST API: username "<expiry>:<id>", password base64(HMAC-SHA1(secret, username)).
    const [expiry] = turn.username!.split(':');
    assert.ok(Number(expiry) * 1000 > Date.now(), 'not expired');
    assert.equal(
      turn.credential,
      createHmac('sha1', secret).update(turn.username!).digest('base64'),
    );
  }
  const refused = await rawRequest(`${node.url()}/turn`);
  assert.equal(refused.status, 429);
  assert.equal((refused.json() as { code: string }).code, 'UNPAID_RATE_LIMITED');
  const retryAfter = Number(refused.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter} s: one token in 20 s`);
});

test('GET /turn is off with --turn-credentials-per-minute 0, and TURN_UNAVAILABLE without TURN', async (t) => {
  const off = await startTestNode(t, { turnCredentialsPerMinute: 0 });
  assert.equal((await rawRequest(`${off.url()}/turn`)).status, 404);
  const noTurn = await startTestNode(t, { turnPort: -1 });
  const refused = await rawRequest(`${noTurn.url()}/turn`);
  assert.equal(refused.status, 503);
  assert.equal((refused.json() as { code: string }).code, 'TURN_UNAVAILABLE');
});
