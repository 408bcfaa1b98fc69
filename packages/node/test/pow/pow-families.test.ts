/**
 * A challenge stands for a family that differs only in its sequence (the nonce's last two bytes,
 * outside the MAC): after a paid room post the node offers the next of the spent challenge's
 * family instead of minting one, while the price holds and half its life is left. Each is spent
 * once; a sibling a client makes itself is worth exactly what the node would have offered it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeChallenge,
  formatPowToken,
  solve,
  toBase64url,
  utf8,
  type PowChallenge,
  type SigmeshError,
} from '@sigmesh/protocol';
import type { PowGate } from '../../src/pow/pow-gate.js';
import type { Payer } from '../../src/pow/pow-pricing.js';
import { nodeCryptoSearch } from '../../src/pow/node-crypto-search.js';
import { gate } from './test-gate.js';

const room = '9f5d5246ceb9fc072235393c9056211925d31f87';
const bound = utf8(room);
const alice: Payer = { address: '203.0.113.7', member: 'a'.repeat(32) };

/** Pays `challenge` (text) for a room post of alice's; returns what check() gave or the refusal. */
async function spend(pow: PowGate, challenge: string): Promise<PowChallenge | SigmeshError> {
  const decoded = decodeChallenge(challenge);
  assert.ok(decoded.ok);
  const counter = await solve(decoded.value.bytes, decoded.value.difficulty, bound, {
    search: nodeCryptoSearch,
  });
  try {
    return pow.check(formatPowToken(challenge, counter), 'room-post', alice, bound);
  } catch (error) {
    return error as SigmeshError;
  }
}

function bytesOf(challenge: string): Uint8Array {
  const decoded = decodeChallenge(challenge);
  assert.ok(decoded.ok);
  return decoded.value.bytes;
}

/** The challenge's sequence number (bytes 25–26). */
const sequenceOf = (bytes: Uint8Array): number => (bytes[25]! << 8) | bytes[26]!;

function paid(result: PowChallenge | SigmeshError): PowChallenge {
  assert.ok(!('code' in result), `refused: ${'code' in result ? result.code : ''}`);
  return result;
}

test('after a paid post the next of its family is offered: same fields and MAC, sequence + 1', async () => {
  const { pow } = gate({ freeMessages: 1000 });
  const first = pow.offer('room-post', alice);
  assert.equal(sequenceOf(bytesOf(first.challenge)), 0, 'a minted challenge starts its family');
  const spent = paid(await spend(pow, first.challenge));
  const next = pow.offerNext('room-post', alice, spent);
  assert.equal(next.difficulty, first.difficulty);
  assert.equal(next.scope, 'room-post');
  const a = bytesOf(first.challenge);
  const b = bytesOf(next.challenge);
  assert.equal(sequenceOf(b), 1);
  assert.deepEqual([...b.subarray(0, 25)], [...a.subarray(0, 25)], 'the same signed fields');
  assert.deepEqual([...b.subarray(27)], [...a.subarray(27)], 'the same MAC');
  // It is spent once, and its own next follows.
  const again = paid(await spend(pow, next.challenge));
  assert.equal(sequenceOf(bytesOf(pow.offerNext('room-post', alice, again).challenge)), 2);
  assert.equal(((await spend(pow, next.challenge)) as SigmeshError).code, 'POW_REPLAYED');
  assert.equal(((await spend(pow, first.challenge)) as SigmeshError).code, 'POW_REPLAYED');
});

test('a sibling a client makes itself is spent once, for its route and address only', async () => {
  const { pow } = gate({ freeMessages: 1000 });
  const bytes = bytesOf(pow.offer('room-post', alice).challenge).slice();
  bytes[25] = 0x12;
  bytes[26] = 0x34;
  const sibling = toBase64url(bytes);
  paid(await spend(pow, sibling));
  assert.equal(((await spend(pow, sibling)) as SigmeshError).code, 'POW_REPLAYED');
  // The sibling of another client's challenge is no more this client's than the challenge.
  const bobs = bytesOf(pow.offer('room-post', { address: '198.51.100.9' }).challenge).slice();
  bobs[26] = 9;
  assert.equal(((await spend(pow, toBase64url(bobs))) as SigmeshError).code, 'POW_WRONG_SCOPE');
  // Any other byte changed is still a forgery.
  bytes[24]! ^= 1;
  assert.equal(((await spend(pow, toBase64url(bytes))) as SigmeshError).code, 'POW_FORGED');
});

test('a fresh challenge is minted when the price moved, half the life is gone or the family ends', async () => {
  // The price rises with every paid post (no free messages): never the same family.
  {
    const { pow } = gate({ freeMessages: 0 });
    const first = pow.offer('room-post', alice);
    const next = pow.offerNext('room-post', alice, paid(await spend(pow, first.challenge)));
    assert.ok(next.difficulty > first.difficulty);
    assert.equal(sequenceOf(bytesOf(next.challenge)), 0);
    assert.notDeepEqual(
      [...bytesOf(next.challenge).subarray(27)],
      [...bytesOf(first.challenge).subarray(27)],
    );
  }
  // Older than half its life (ttl 120 s).
  {
    const { pow, advance } = gate({ freeMessages: 1000 });
    const first = pow.offer('room-post', alice);
    advance(61_000);
    const next = pow.offerNext('room-post', alice, paid(await spend(pow, first.challenge)));
    assert.equal(sequenceOf(bytesOf(next.challenge)), 0);
    const issuedAt = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getUint32(1);
    assert.equal(issuedAt(bytesOf(next.challenge)) - issuedAt(bytesOf(first.challenge)), 61);
  }
  // The family's last member.
  {
    const { pow } = gate({ freeMessages: 1000 });
    const bytes = bytesOf(pow.offer('room-post', alice).challenge).slice();
    bytes[25] = 0xff;
    bytes[26] = 0xff;
    const next = pow.offerNext('room-post', alice, paid(await spend(pow, toBase64url(bytes))));
    assert.equal(sequenceOf(bytesOf(next.challenge)), 0);
  }
});
