import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkSolution,
  decodeChallenge,
  formatPowToken,
  solve,
  toBase64url,
  utf8,
  type SigmeshError,
} from '@sigmesh/protocol';
import { nodeDefaults } from '../../src/index.js';
import { PowGate } from '../../src/pow/pow-gate.js';
import { PowPricing, type Payer } from '../../src/pow/pow-pricing.js';
import { ReplaySet } from '../../src/pow/replay-set.js';
import { UnpaidLimiter } from '../../src/pow/unpaid-limiter.js';
import { nodeCryptoSearch } from '../../src/pow/node-crypto-search.js';

/** A gate on an injected clock and load, with cheap prices and small, visible limits. */
function gate(
  options: { load?: number; replayMax?: number; unpaidBurst?: number; secret?: Uint8Array } = {},
) {
  let clock = Date.UTC(2030, 0, 1);
  const now = () => clock;
  const load = options.load ?? 0;
  const config = {
    ...nodeDefaults,
    powBaseDifficulty: 4,
    powMaxDifficulty: 64,
    powFreeMessages: 0,
    powMessagesPerDoubling: 1,
  };
  const pricing = new PowPricing(
    config,
    { current: () => ({ cpu: load, mem: 0, smoothed: load }) },
    now,
  );
  const pow = new PowGate({
    secret: options.secret ?? new Uint8Array(32).fill(7),
    ttlSeconds: 120,
    pricing,
    replay: new ReplaySet({
      generationMs: 120_000,
      maxPerGeneration: options.replayMax ?? 1000,
      now,
    }),
    unpaid: new UnpaidLimiter({
      perSecond: 1,
      burst: options.unpaidBurst ?? 100,
      maxClients: 100,
      now,
    }),
    priceTolerance: 0.25,
    now,
  });
  return { pow, advance: (ms: number) => (clock += ms) };
}

const bound = utf8('{}');

/** Pays a fresh offer for `payer` and checks it; returns the refusal, if any. */
async function pay(pow: PowGate, payer: Payer): Promise<SigmeshError | undefined> {
  const offer = pow.offer('token', payer);
  const challenge = decodeChallenge(offer.challenge);
  assert.ok(challenge.ok);
  const counter = await solve(challenge.value.bytes, challenge.value.difficulty, bound, {
    search: nodeCryptoSearch,
  });
  try {
    pow.check(formatPowToken(offer.challenge, counter), 'token', payer, bound);
    return undefined;
  } catch (error) {
    return error as SigmeshError;
  }
}

function refusal(run: () => void): SigmeshError {
  try {
    run();
  } catch (error) {
    return error as SigmeshError;
  }
  return assert.fail('expected a refusal');
}

const alice: Payer = { address: '203.0.113.7', member: 'a'.repeat(32) };

test('refusals over the cap are unpaid requests too: past the allowance they are UNPAID_RATE_LIMITED', async () => {
  const { pow } = gate({ unpaidBurst: 2 });
  // 4 × 2^n: n = 5 paid requests put alice over the cap of 64.
  for (let i = 0; i < 5; i++) assert.equal(await pay(pow, alice), undefined);
  const check = () => pow.check(undefined, 'token', alice, bound);
  assert.equal(refusal(check).code, 'RATE_LIMITED');
  assert.equal(refusal(check).code, 'RATE_LIMITED');
  assert.equal(refusal(check).code, 'UNPAID_RATE_LIMITED', 'the third refusal is one too many');
});

test('a full replay set answers NODE_OVERLOADED until it rotates, and accepts again then', async () => {
  const { pow, advance } = gate({ replayMax: 2 });
  const bob: Payer = { address: '198.51.100.1' };
  const carol: Payer = { address: '198.51.100.2' };
  assert.equal(await pay(pow, bob), undefined);
  assert.equal(await pay(pow, carol), undefined);
  advance(30_000);
  const full = await pay(pow, { address: '198.51.100.3' });
  assert.equal(full?.code, 'NODE_OVERLOADED');
  assert.equal(full.retryAfter, 90, 'the generation rotates 120 s after it began');
  advance(89_000);
  assert.equal((await pay(pow, { address: '198.51.100.4' }))?.code, 'NODE_OVERLOADED');
  advance(1_000);
  assert.equal(await pay(pow, { address: '198.51.100.4' }), undefined, 'accepted on time');
});

test('a saturated node answers NODE_OVERLOADED with Retry-After until its load is measured again', () => {
  const { pow } = gate({ load: 1 });
  const overloaded = refusal(() => pow.check(undefined, 'room-join', { address: 'x' }, bound));
  assert.equal(overloaded.code, 'NODE_OVERLOADED');
  assert.equal(overloaded.retryAfter, nodeDefaults.loadSampleMs / 1000);
});

test('the MAC covers every byte of a challenge and the secret: any change is POW_FORGED', async () => {
  const { pow } = gate({ unpaidBurst: 1000 });
  const offer = pow.offer('token', alice);
  const decoded = decodeChallenge(offer.challenge);
  assert.ok(decoded.ok);
  const counter = await solve(decoded.value.bytes, decoded.value.difficulty, bound, {
    search: nodeCryptoSearch,
  });
  // Byte 0 is the version (a changed one is malformed); every other byte is signed or the MAC.
  for (let index = 1; index < decoded.value.bytes.length; index++) {
    const bytes = decoded.value.bytes.slice();
    bytes[index]! ^= 0x80;
    const token = formatPowToken(toBase64url(bytes), counter);
    assert.equal(
      refusal(() => pow.check(token, 'token', alice, bound)).code,
      'POW_FORGED',
      `byte ${index} changed`,
    );
  }
  // The same challenge from a node with another secret.
  const other = gate({ secret: new Uint8Array(32).fill(8), unpaidBurst: 1000 }).pow;
  const foreign = formatPowToken(offer.challenge, counter);
  assert.equal(refusal(() => other.check(foreign, 'token', alice, bound)).code, 'POW_FORGED');
  // Untouched, on the node that issued it, it is accepted.
  pow.check(foreign, 'token', alice, bound);
});

test('a secret of the wrong size is refused at construction', () => {
  assert.throws(() => gate({ secret: new Uint8Array(16) }), /32 bytes/);
});

test('a room post may bind the room hash instead of its body; a proof for neither is refused', async () => {
  const { pow } = gate();
  const payer: Payer = { address: 'a' };
  const roomHash = '9f5d5246ceb9fc072235393c9056211925d31f87';
  const room = utf8(roomHash);
  const body = utf8('{"data":"an answer made after the proof was solved"}');
  const elsewhere = utf8('0000000000000000000000000000000000000000');
  /** A fresh room-post token solved over `over` that solves none of `not` (cheap prices: redraw). */
  const solvedOnlyOver = async (over: Uint8Array, not: Uint8Array[]): Promise<string> => {
    for (;;) {
      const offer = pow.offer('room-post', payer);
      const challenge = decodeChallenge(offer.challenge);
      assert.ok(challenge.ok);
      const { bytes, difficulty } = challenge.value;
      const counter = await solve(bytes, difficulty, over, { search: nodeCryptoSearch });
      if (!not.some((other) => checkSolution(bytes, difficulty, other, counter)))
        return formatPowToken(offer.challenge, counter);
    }
  };
  // Twice each: the room hash's digest comes from the gate's cache the second time.
  for (let i = 0; i < 2; i++) {
    pow.check(await solvedOnlyOver(room, [body]), 'room-post', payer, body, roomHash);
    pow.check(await solvedOnlyOver(body, [room]), 'room-post', payer, body, roomHash);
  }
  const neither = await solvedOnlyOver(elsewhere, [room, body]);
  assert.equal(
    refusal(() => pow.check(neither, 'room-post', payer, body, roomHash)).code,
    'POW_WRONG_SOLUTION',
  );
  // A room-bound proof binds its own room: another room's cached digest does not take it.
  const otherRoom = '0000000000000000000000000000000000000000';
  pow.check(await solvedOnlyOver(elsewhere, [room, body]), 'room-post', payer, body, otherRoom);
  const thisRoomOnly = await solvedOnlyOver(room, [body, elsewhere]);
  assert.equal(
    refusal(() => pow.check(thisRoomOnly, 'room-post', payer, body, otherRoom)).code,
    'POW_WRONG_SOLUTION',
  );
  // Without the alternative (every other route), a room-bound proof is no proof.
  const roomBound = await solvedOnlyOver(room, [body]);
  assert.equal(
    refusal(() => pow.check(roomBound, 'room-post', payer, body)).code,
    'POW_WRONG_SOLUTION',
  );
});
