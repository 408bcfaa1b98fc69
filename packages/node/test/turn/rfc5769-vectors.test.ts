import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import { nonce } from '../../src/turn/attributes/nonce.js';
import { realm } from '../../src/turn/attributes/realm.js';
import { software } from '../../src/turn/attributes/software.js';
import { username } from '../../src/turn/attributes/username.js';
import { xorMappedAddress } from '../../src/turn/attributes/xor-mapped-address.js';
import {
  encodeSignedMessage,
  fingerprintMatches,
  longTermKey,
  verifyMessageIntegrity,
} from '../../src/turn/stun-integrity.js';
import { parseStunMessage, StunMethod, type StunMessage } from '../../src/turn/stun-message.js';
import {
  SAMPLE_IPV4_RESPONSE,
  SAMPLE_IPV6_RESPONSE,
  SAMPLE_LONG_TERM_REQUEST,
  SAMPLE_REQUEST,
  SHORT_TERM_PASSWORD,
  TRANSACTION_ID,
} from './fixtures/rfc5769.js';

const shortTermKey = new TextEncoder().encode(SHORT_TERM_PASSWORD);

function parse(bytes: Uint8Array): StunMessage {
  const result = parseStunMessage(bytes);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.message;
}

function value<T>(decoded: { ok: true; value: T } | { ok: false; reason: string } | undefined): T {
  assert.ok(decoded?.ok === true, 'attribute present and valid');
  return decoded.value;
}

test('RFC 5769 §2.1: sample request parses, integrity and fingerprint verify', () => {
  const message = parse(SAMPLE_REQUEST);
  assert.equal(message.method, StunMethod.binding);
  assert.equal(message.cls, 'request');
  assert.deepEqual(message.transactionId, TRANSACTION_ID);
  assert.equal(value(readAttribute(message, software)), 'STUN test client');
  assert.equal(value(readAttribute(message, username)), 'evtj:h6vY');
  assert.ok(verifyMessageIntegrity(message, shortTermKey));
  assert.ok(fingerprintMatches(message));
  assert.equal(verifyMessageIntegrity(message, new TextEncoder().encode('wrong')), false);
});

test('RFC 5769 §2.2: IPv4 response parses and our encoder reproduces its attributes (zero padding aside)', () => {
  const message = parse(SAMPLE_IPV4_RESPONSE);
  const mapped = value(readAttribute(message, xorMappedAddress));
  assert.deepEqual(mapped, { family: 4, address: '192.0.2.1', port: 32853 });
  assert.ok(verifyMessageIntegrity(message, shortTermKey));
  assert.ok(fingerprintMatches(message));
  const encoded = encodeSignedMessage(
    {
      method: StunMethod.binding,
      cls: 'success',
      transactionId: TRANSACTION_ID,
      attributes: [
        { type: software.type, value: software.encode('test vector', TRANSACTION_ID) },
        { type: xorMappedAddress.type, value: xorMappedAddress.encode(mapped, TRANSACTION_ID) },
      ],
    },
    { key: shortTermKey },
  );
  // The RFC pads SOFTWARE with a space (0x20); we pad with zero, which the RFC allows. Compare
  // everything else, then check our own MI and FINGERPRINT.
  const expected = Uint8Array.from(SAMPLE_IPV4_RESPONSE);
  expected[35] = 0;
  const ours = parse(encoded);
  assert.ok(verifyMessageIntegrity(ours, shortTermKey));
  assert.ok(fingerprintMatches(ours));
  assert.deepEqual(encoded.subarray(0, 36), expected.subarray(0, 36));
  assert.deepEqual(encoded.subarray(36, 48), expected.subarray(36, 48));
});

test('RFC 5769 §2.3: IPv6 response parses with integrity and fingerprint', () => {
  const message = parse(SAMPLE_IPV6_RESPONSE);
  assert.deepEqual(value(readAttribute(message, xorMappedAddress)), {
    family: 6,
    address: '2001:db8:1234:5678:11:2233:4455:6677',
    port: 32853,
  });
  assert.ok(verifyMessageIntegrity(message, shortTermKey));
  assert.ok(fingerprintMatches(message));
});

test('RFC 5769 §2.4: long-term request verifies with MD5(username:realm:password)', () => {
  const message = parse(SAMPLE_LONG_TERM_REQUEST);
  const user = value(readAttribute(message, username));
  assert.equal(user, '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9');
  assert.equal(value(readAttribute(message, nonce)), 'f//499k954d6OL34oL9FSTvy64sA');
  assert.equal(value(readAttribute(message, realm)), 'example.org');
  assert.ok(verifyMessageIntegrity(message, longTermKey(user, 'example.org', 'TheMatrIX')));
  assert.equal(
    verifyMessageIntegrity(message, longTermKey(user, 'example.org', 'TheMatrix')),
    false,
  );
});

test('a flipped bit breaks FINGERPRINT and MESSAGE-INTEGRITY', () => {
  const tampered = Uint8Array.from(SAMPLE_REQUEST);
  tampered[30] = (tampered[30] ?? 0) ^ 1;
  const message = parse(tampered);
  assert.equal(fingerprintMatches(message), false);
  assert.equal(verifyMessageIntegrity(message, shortTermKey), false);
});

test('truncated and garbage input is a typed failure, never a throw', () => {
  for (let cut = 0; cut < SAMPLE_REQUEST.length; cut++) {
    const result = parseStunMessage(SAMPLE_REQUEST.subarray(0, cut));
    assert.equal(result.ok, false);
  }
  const wrongCookie = Uint8Array.from(SAMPLE_REQUEST);
  wrongCookie[4] = 0;
  assert.equal(parseStunMessage(wrongCookie).ok, false);
});
