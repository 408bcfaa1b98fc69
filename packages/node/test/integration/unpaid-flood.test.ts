/**
 * Issue 11, finding 1: unpaid traffic must not set the price paying clients see. A worker thread
 * floods `GET /` from 127.0.0.2 as fast as it can (its own event loop, so the node's load is only
 * the cost of answering); a quiet member on 127.0.0.1 keeps posting and reading its price.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { nodeDefaults } from '../../src/index.js';
import { rawRequest } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';
import { startUnpaidFlood } from '../helpers/unpaid-flood.js';

const room = deriveRoomHash('test-app', 'unpaid-flood');
const FLOOD_MS = 5_000;

async function quotedPrice(baseUrl: string): Promise<number> {
  const response = await rawRequest(`${baseUrl}/`, {
    headers: { accept: 'application/json' },
    localAddress: '127.0.0.1',
  });
  return (response.json() as { pow: { price: number } }).pow.price;
}

test('a flood of unpaid GET / from another address leaves a quiet paying client at the base price', async (t) => {
  // Default pricing; only the load is sampled 4× as often, so a 5 s flood has time to show.
  const node = await startTestNode(t, {
    powBaseDifficulty: nodeDefaults.powBaseDifficulty,
    powFreeMessages: nodeDefaults.powFreeMessages,
    unpaidRequestsPerSecond: nodeDefaults.unpaidRequestsPerSecond,
    unpaidBurst: nodeDefaults.unpaidBurst,
    loadSampleMs: 250,
  });
  const base = nodeDefaults.powBaseDifficulty;
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  assert.equal(await quotedPrice(node.url()), base);

  const flood = startUnpaidFlood({
    port: node.address().port,
    localAddress: '127.0.0.2',
    path: '/',
    connections: 16,
    ratePerSecond: 50_000,
    durationMs: FLOOD_MS,
    maxRequests: 500_000,
  });
  const seen: Array<{ quoted: number; nextPost: number }> = [];
  const until = Date.now() + FLOOD_MS;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The quiet client pays: one post every half second, well inside its allowance.
    const posted = (await member.post({ tick: seen.length })) as { next: { difficulty: number } };
    seen.push({ quoted: await quotedPrice(node.url()), nextPost: posted.next.difficulty });
  }
  const result = await flood;
  t.diagnostic(`flood: ${JSON.stringify(result)}; quiet client saw ${JSON.stringify(seen)}`);
  assert.ok(result.sent > 10_000, `the flood was a flood (${result.sent} requests)`);
  assert.ok((result.statuses['429'] ?? 0) > 0, 'the flood was throttled (429)');
  for (const { quoted, nextPost } of seen) {
    assert.equal(quoted, base, 'GET / quotes the base price to the quiet client');
    assert.equal(nextPost, base, 'its next post costs the base price');
  }
});
