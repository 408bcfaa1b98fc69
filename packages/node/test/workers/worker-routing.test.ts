import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeDefaults } from '../../src/index.js';
import { PowGate } from '../../src/pow/pow-gate.js';
import { PowPricing } from '../../src/pow/pow-pricing.js';
import { ReplaySet } from '../../src/pow/replay-set.js';
import { UnpaidLimiter } from '../../src/pow/unpaid-limiter.js';
import {
  requestWorker,
  sessionPrefix,
  sessionWorker,
  tokenMinter,
} from '../../src/workers/worker-routing.js';

function mintingGate(minter: number | undefined): PowGate {
  const now = () => Date.UTC(2030, 0, 1);
  return new PowGate({
    secret: new Uint8Array(32).fill(minter ?? 9),
    ttlSeconds: 120,
    pricing: new PowPricing(
      nodeDefaults,
      { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) },
      now,
    ),
    replay: new ReplaySet({ generationMs: 120_000, maxPerGeneration: 100, now }),
    unpaid: new UnpaidLimiter({ perSecond: 1, burst: 10, maxClients: 10, now }),
    priceTolerance: 0.25,
    now,
    ...(minter === undefined ? {} : { minter }),
  });
}

test('every challenge a worker mints names it; a plain node leaves its nonce random', () => {
  for (const minter of [0, 1, 7, 255]) {
    const gate = mintingGate(minter);
    for (let i = 0; i < 20; i++) {
      const { challenge } = gate.offer('room-join', { address: '127.0.0.1' });
      assert.equal(tokenMinter(`${challenge}.123`), minter);
    }
  }
  const plain = mintingGate(undefined);
  const first = new Set(
    Array.from({ length: 64 }, () =>
      tokenMinter(`${plain.offer('room-join', { address: '127.0.0.1' }).challenge}.1`),
    ),
  );
  assert.ok(first.size > 8, 'random first nonce bytes');
  assert.equal(tokenMinter(undefined), undefined);
  assert.equal(tokenMinter('no-dot'), undefined);
  assert.equal(tokenMinter('short.1'), undefined);
});

test('a session names its worker only with the worker prefix', () => {
  assert.equal(sessionWorker(`${sessionPrefix(3)}AbCdEf_-`), 3);
  assert.equal(sessionWorker(`${sessionPrefix(0)}x`), 0);
  assert.equal(sessionWorker('AbCdEfGhIjKlMnOpQrStUvWx'), undefined);
  assert.equal(sessionWorker('w1AbCd'), undefined);
  assert.equal(sessionWorker(['w1.x']), undefined);
  assert.equal(sessionWorker(undefined), undefined);
});

test("a request goes to its session's worker first, then its token's minter, then ?worker=", () => {
  const token = `${mintingGate(2).offer('room-post', { address: 'a' }).challenge}.5`;
  const session = `${sessionPrefix(1)}abc`;
  assert.equal(
    requestWorker({ 'sigmesh-session': session, authorization: `PoW ${token}` }, '/room/x'),
    1,
  );
  assert.equal(requestWorker({ authorization: `PoW ${token}` }, '/token?worker=0'), 2);
  assert.equal(requestWorker({}, `/room/x?pow=${encodeURIComponent(token)}`), 2);
  assert.equal(requestWorker({}, '/metrics?worker=4'), 4);
  assert.equal(requestWorker({}, '/status?a=1&worker=0'), 0);
  assert.equal(requestWorker({}, '/?workers=1'), undefined);
  assert.equal(requestWorker({}, '/'), undefined);
});
