import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkSolution,
  decodeChallenge,
  encodeChallenge,
  encodeChallengeFields,
  parsePowToken,
  utf8,
  type PowOffer,
} from '@sigmesh/protocol';
import { createPowSolver } from '../src/pow/pow-solver.js';

function offer(difficulty: number): PowOffer {
  const signed = encodeChallengeFields({
    version: 1,
    issuedAt: 1_700_000_000,
    ttl: 120,
    difficulty,
    scopeTag: new Uint8Array(8).fill(1),
    nonce: crypto.getRandomValues(new Uint8Array(8)),
  });
  return { challenge: encodeChallenge(signed, new Uint8Array(16)), difficulty, scope: 'room-post' };
}

test('the worker solver pays offers with tokens the protocol accepts, and measures its rate', async (t) => {
  const solver = createPowSolver();
  t.after(() => solver.close());
  for (const difficulty of [1, 500, 20_000]) {
    const current = offer(difficulty);
    const bound = utf8(`{"data":${difficulty}}`);
    const token = parsePowToken(await solver.pay(current, bound));
    assert.ok(token.ok);
    const challenge = decodeChallenge(current.challenge);
    assert.ok(challenge.ok);
    assert.ok(checkSolution(challenge.value.bytes, difficulty, bound, token.value.counter));
    // A counter solves another body by chance with probability 1/difficulty (1/500 failed a CI
    // run): it must fail for at least one of three, which chance passes (1/500)³ of the time.
    const others = ['another body', 'a third', 'a fourth'].map((body) =>
      checkSolution(challenge.value.bytes, difficulty, utf8(body), token.value.counter),
    );
    assert.equal(others.every(Boolean) && difficulty > 1, false, 'the proof is bound to the body');
  }
  assert.ok(solver.hashesPerSecond > 10_000, `${solver.hashesPerSecond} hashes/s`);
});

test('a payment is cancelled through its signal, and the solver keeps working', async (t) => {
  const solver = createPowSolver();
  t.after(() => solver.close());
  const abort = new AbortController();
  const paying = solver.pay(offer(2 ** 31), utf8('x'), abort.signal);
  setTimeout(() => abort.abort(new Error('changed my mind')), 50);
  await assert.rejects(paying, /changed my mind/);
  assert.ok(parsePowToken(await solver.pay(offer(100), utf8('y'))).ok);
});

test(
  'a payment aborted while the worker starts is refused, not solved',
  { timeout: 20_000 },
  async (t) => {
    const solver = createPowSolver();
    t.after(() => solver.close());
    const abort = new AbortController();
    // Aborted before the worker is even connected (pay awaits it first): the signal's abort event
    // has fired by the time a listener could be added, so only a check after the wait catches it.
    const paying = solver.pay(offer(2 ** 31), utf8('x'), abort.signal);
    abort.abort(new Error('gone before it started'));
    await assert.rejects(paying, /gone before it started/);
    assert.ok(parsePowToken(await solver.pay(offer(100), utf8('y'))).ok);
  },
);

test('cheap payments asked for while the worker starts are solved on this thread; the rest in the worker', async (t) => {
  // What a browser page does by default (Node keeps its event loop free unless asked).
  const solver = createPowSolver({ solveWhileStarting: true });
  t.after(() => solver.close());
  const check = (current: PowOffer, bound: Uint8Array, token: string): void => {
    const parsed = parsePowToken(token);
    const challenge = decodeChallenge(current.challenge);
    assert.ok(parsed.ok && challenge.ok);
    assert.ok(
      checkSolution(challenge.value.bytes, current.difficulty, bound, parsed.value.counter),
    );
  };
  // Asked at once: the worker thread (its script, hash-wasm compiled) starts far slower than this.
  const cheap = offer(500);
  check(cheap, utf8('first'), await solver.pay(cheap, utf8('first')));
  assert.equal(solver.solvedWhileStarting, 1);
  // An expensive payment waits for the worker; once it answered, the worker is ready (it says so
  // before its first result) and takes cheap payments too.
  const dear = offer(20_000);
  check(dear, utf8('dear'), await solver.pay(dear, utf8('dear')));
  const later = offer(500);
  check(later, utf8('later'), await solver.pay(later, utf8('later')));
  assert.equal(solver.solvedWhileStarting, 1);
});

test('outside a browser page every payment goes to the worker unless asked otherwise', async (t) => {
  const solver = createPowSolver();
  t.after(() => solver.close());
  const cheap = offer(500);
  assert.ok(parsePowToken(await solver.pay(cheap, utf8('first'))).ok);
  assert.equal(solver.solvedWhileStarting, 0);
});
