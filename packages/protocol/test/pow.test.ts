import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeChallenge,
  encodeChallenge,
  encodeChallengeFields,
  POW_VERSION,
} from '../src/pow-challenge.js';
import {
  attempt,
  checkSolution,
  nobleSearch,
  powTarget,
  solutionPrefix,
  solve,
} from '../src/pow-solution.js';
import {
  formatPowWwwAuthenticate,
  parsePowToken,
  parsePowWwwAuthenticate,
  powTokenFromAuthorization,
} from '../src/pow-token.js';

const fieldsArb = fc.record({
  version: fc.constant(POW_VERSION),
  issuedAt: fc.nat({ max: 0xffff_ffff }),
  ttl: fc.nat({ max: 0xffff }),
  difficulty: fc.integer({ min: 1, max: 0xffff_ffff }),
  scopeTag: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  nonce: fc.uint8Array({ minLength: 8, maxLength: 8 }),
});

test('challenges round-trip through their 43-byte base64url form', () => {
  fc.assert(
    fc.property(fieldsArb, fc.uint8Array({ minLength: 16, maxLength: 16 }), (fields, mac) => {
      const text = encodeChallenge(encodeChallengeFields(fields), mac);
      assert.equal(text.length, 58);
      const decoded = decodeChallenge(text);
      assert.ok(decoded.ok);
      assert.deepEqual(
        { ...decoded.value, bytes: undefined, text: undefined },
        { ...fields, mac, bytes: undefined, text: undefined },
      );
    }),
  );
});

test('malformed challenges and tokens are refused as POW_MALFORMED', () => {
  for (const text of ['', 'AAAA', 'A'.repeat(58), '!'.repeat(58)]) {
    const result = decodeChallenge(text);
    assert.equal(result.ok, false, text);
  }
  for (const token of [
    'nodot',
    'x.1',
    `${'A'.repeat(58)}.-1`,
    `${'A'.repeat(58)}.01`,
    `${'A'.repeat(58)}.99999999999999999`,
  ]) {
    const result = parsePowToken(token);
    assert.equal(result.ok, false, token);
    if (!result.ok) assert.equal(result.code, 'POW_MALFORMED');
  }
});

test('solve finds a counter that checkSolution accepts, and only for the bound data it was solved for', async () => {
  const challenge = encodeChallengeFields({
    version: 1,
    issuedAt: 1,
    ttl: 60,
    difficulty: 500,
    scopeTag: new Uint8Array(8),
    nonce: new Uint8Array(8).fill(7),
  });
  const bytes = decodeChallenge(encodeChallenge(challenge, new Uint8Array(16)));
  assert.ok(bytes.ok);
  const body = new TextEncoder().encode('{"data":"hi"}');
  const counter = await solve(bytes.value.bytes, 500, body);
  assert.ok(checkSolution(bytes.value.bytes, 500, body, counter));
  assert.equal(attempt(solutionPrefix(bytes.value.bytes, body), counter) <= powTarget(500), true);
  // Expected work is the difficulty: the found counter is the first one under target.
  for (let c = 0; c < counter; c++)
    assert.equal(checkSolution(bytes.value.bytes, 500, body, c), false);
});

test('the midstate search agrees with the one-shot check', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 75, maxLength: 75 }),
      fc.nat({ max: 1_000_000 }),
      (prefix, start) => {
        const target = powTarget(64);
        const found = nobleSearch(prefix, target, start, start + 2000);
        if (found >= 0) assert.ok(attempt(prefix, found) <= target);
        for (let c = start; c < (found >= 0 ? found : start + 2000); c++)
          assert.ok(attempt(prefix, c) > target);
      },
    ),
    { numRuns: 5 },
  );
});

test('solve is cancellable', async () => {
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(
    solve(new Uint8Array(43), 2 ** 31, new Uint8Array(), { signal: controller.signal }),
    /stop/,
  );
});

test('Authorization and WWW-Authenticate headers round-trip', () => {
  const challenge = encodeChallenge(
    encodeChallengeFields({
      version: 1,
      issuedAt: 5,
      ttl: 60,
      difficulty: 99,
      scopeTag: new Uint8Array(8),
      nonce: new Uint8Array(8),
    }),
    new Uint8Array(16),
  );
  assert.equal(powTokenFromAuthorization(`PoW ${challenge}.12`), `${challenge}.12`);
  assert.equal(powTokenFromAuthorization('Bearer x'), undefined);
  const offer = { challenge, difficulty: 99, scope: 'room-post' as const };
  assert.deepEqual(parsePowWwwAuthenticate(formatPowWwwAuthenticate(offer)), offer);
  assert.equal(parsePowWwwAuthenticate('Basic realm="x"'), undefined);
});

// Fuzzing regressions (pow-headers target). A node's 401 is untrusted input to the client:
// (1) `scope=` followed by 100,000 letters took 5–7 s to parse (every position inside the run
// started a match scanning the rest of it); (2) `difficulty=""` parsed as difficulty 0, an offer
// the JSON parser refuses.
test('WWW-Authenticate: a long run of letters parses in linear time', () => {
  const challenge = 'AQAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  for (const tail of ['A'.repeat(100_000), `"${'b'.repeat(100_000)}`]) {
    const header = `PoW challenge="${challenge}", difficulty="1", scope=${tail}`;
    const started = performance.now();
    assert.equal(parsePowWwwAuthenticate(header), undefined);
    const ms = performance.now() - started;
    assert.ok(ms < 500, `${ms.toFixed(0)} ms`);
  }
});

test('WWW-Authenticate: the difficulty is a decimal integer ≥ 1, as in the JSON form', () => {
  const challenge = 'AQAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const header = (difficulty: string): string =>
    `PoW challenge="${challenge}", difficulty="${difficulty}", scope="room-join", algorithm="sha256-lead32"`;
  for (const bad of ['', '0', '-5', '1e3', '0x10', ' 12', '12.0', '9007199254740993'])
    assert.equal(parsePowWwwAuthenticate(header(bad)), undefined, bad);
  assert.deepEqual(parsePowWwwAuthenticate(header('12')), {
    challenge,
    difficulty: 12,
    scope: 'room-join',
  });
});
