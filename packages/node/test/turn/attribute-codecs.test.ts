import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AttributeCodec } from '../../src/turn/attributes/attribute-codec.js';
import { alternateServer } from '../../src/turn/attributes/alternate-server.js';
import { channelNumber } from '../../src/turn/attributes/channel-number.js';
import { data } from '../../src/turn/attributes/data.js';
import { dontFragment } from '../../src/turn/attributes/dont-fragment.js';
import { errorCode } from '../../src/turn/attributes/error-code.js';
import { evenPort } from '../../src/turn/attributes/even-port.js';
import { fingerprint } from '../../src/turn/attributes/fingerprint.js';
import { lifetime } from '../../src/turn/attributes/lifetime.js';
import { mappedAddress } from '../../src/turn/attributes/mapped-address.js';
import { messageIntegrity } from '../../src/turn/attributes/message-integrity.js';
import { nonce } from '../../src/turn/attributes/nonce.js';
import { realm } from '../../src/turn/attributes/realm.js';
import { requestedAddressFamily } from '../../src/turn/attributes/requested-address-family.js';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { reservationToken } from '../../src/turn/attributes/reservation-token.js';
import { software } from '../../src/turn/attributes/software.js';
import { unknownAttributes } from '../../src/turn/attributes/unknown-attributes.js';
import { username } from '../../src/turn/attributes/username.js';
import { xorMappedAddress } from '../../src/turn/attributes/xor-mapped-address.js';
import { xorPeerAddress } from '../../src/turn/attributes/xor-peer-address.js';
import { xorRelayedAddress } from '../../src/turn/attributes/xor-relayed-address.js';
import { encodeChannelData, parseChannelData } from '../../src/turn/channel-data-frame.js';
import {
  canonicalIp,
  formatIp,
  parseIp,
  type TransportAddress,
} from '../../src/turn/ip-address.js';
import {
  encodeSignedMessage,
  fingerprintMatches,
  verifyMessageIntegrity,
} from '../../src/turn/stun-integrity.js';
import { parseStunMessage, type StunClass } from '../../src/turn/stun-message.js';
import { StreamFramer } from '../../src/turn/stream-framer.js';

const transactionId = fc.uint8Array({ minLength: 12, maxLength: 12 });
const address: fc.Arbitrary<TransportAddress> = fc.oneof(
  fc
    .tuple(fc.ipV4(), fc.integer({ min: 0, max: 65535 }))
    .map(([ip, port]) => ({ family: 4 as const, address: ip, port })),
  fc
    .tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 65535 }))
    .map(([bytes, port]) => ({ family: 6 as const, address: formatIp(bytes), port })),
);
const text = (maxBytes: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'grapheme', maxLength: 120 })
    .filter((s) => new TextEncoder().encode(s).length <= maxBytes);

function roundTrips<T>(codec: AttributeCodec<T>, values: fc.Arbitrary<T>): void {
  test(`${codec.name} round-trips`, () => {
    fc.assert(
      fc.property(values, transactionId, (value, id) => {
        const bytes = codec.encode(value, id);
        const decoded = codec.decode(bytes, id);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
        assert.deepEqual(decoded.value, value);
        assert.deepEqual(codec.encode(decoded.value, id), bytes);
      }),
    );
  });
  test(`${codec.name} never throws on arbitrary bytes`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), transactionId, (bytes, id) => {
        const decoded = codec.decode(bytes, id);
        assert.equal(typeof decoded.ok, 'boolean');
      }),
    );
  });
}

roundTrips(xorMappedAddress, address);
roundTrips(xorPeerAddress, address);
roundTrips(xorRelayedAddress, address);
roundTrips(mappedAddress, address);
roundTrips(alternateServer, address);
roundTrips(username, text(508));
roundTrips(realm, text(763));
roundTrips(nonce, text(763));
roundTrips(software, text(763));
roundTrips(lifetime, fc.integer({ min: 0, max: 0xffffffff }));
roundTrips(fingerprint, fc.integer({ min: 0, max: 0xffffffff }));
roundTrips(channelNumber, fc.integer({ min: 0, max: 0xffff }));
roundTrips(requestedTransport, fc.integer({ min: 0, max: 255 }));
roundTrips(requestedAddressFamily, fc.constantFrom(4 as const, 6 as const));
roundTrips(
  evenPort,
  fc.boolean().map((reserveNext) => ({ reserveNext })),
);
roundTrips(dontFragment, fc.constant(true as const));
roundTrips(data, fc.uint8Array({ maxLength: 2000 }));
roundTrips(messageIntegrity, fc.uint8Array({ minLength: 20, maxLength: 20 }));
roundTrips(reservationToken, fc.uint8Array({ minLength: 8, maxLength: 8 }));
roundTrips(unknownAttributes, fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 20 }));
roundTrips(
  errorCode,
  fc
    .tuple(fc.integer({ min: 300, max: 699 }), text(200))
    .map(([code, reason]) => ({ code, reason })),
);

test('IP text round-trips through bytes, and IPv4-mapped IPv6 normalises to IPv4', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
      const textForm = formatIp(bytes);
      assert.deepEqual(parseIp(textForm), bytes);
    }),
  );
  fc.assert(fc.property(fc.ipV4(), (ip) => assert.equal(canonicalIp(`::ffff:${ip}`), ip)));
  assert.equal(canonicalIp('::FFFF:7f00:1'), '127.0.0.1');
  assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalIp('1.2.3'), undefined);
  assert.equal(canonicalIp('01.2.3.4'), undefined);
  assert.equal(canonicalIp('1::2::3'), undefined);
});

test('whole messages round-trip with MESSAGE-INTEGRITY and FINGERPRINT', () => {
  const classes: StunClass[] = ['request', 'indication', 'success', 'error'];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xfff }),
      fc.constantFrom(...classes),
      transactionId,
      fc.array(
        fc.record({
          type: fc.integer({ min: 0, max: 0x7fff }).filter((t) => t !== 0x0008 && t !== 0x001c),
          value: fc.uint8Array({ maxLength: 40 }),
        }),
        { maxLength: 6 },
      ),
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
      (method, cls, id, attributes, key) => {
        const bytes = encodeSignedMessage({ method, cls, transactionId: id, attributes }, { key });
        const parsed = parseStunMessage(bytes);
        assert.ok(parsed.ok);
        assert.equal(parsed.message.method, method);
        assert.equal(parsed.message.cls, cls);
        assert.deepEqual(parsed.message.transactionId, id);
        assert.deepEqual(
          parsed.message.attributes
            .slice(0, attributes.length)
            .map((a) => ({ type: a.type, value: Uint8Array.from(a.value) })),
          attributes.map((a) => ({ type: a.type, value: a.value })),
        );
        assert.ok(verifyMessageIntegrity(parsed.message, key));
        assert.ok(fingerprintMatches(parsed.message));
      },
    ),
  );
});

test('arbitrary bytes never make the STUN parser throw', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.equal(typeof parseStunMessage(bytes).ok, 'boolean');
    }),
  );
});

test('ChannelData frames round-trip, padded for TCP, and a stream splits back into them', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.integer({ min: 0x4000, max: 0x7fff }), fc.uint8Array({ maxLength: 300 })),
        { minLength: 1, maxLength: 8 },
      ),
      fc.integer({ min: 1, max: 50 }),
      (frames, chunkSize) => {
        const encoded = frames.map(([channel, payload]) =>
          encodeChannelData(channel, payload, true),
        );
        for (const [i, bytes] of encoded.entries()) {
          assert.equal(bytes.length % 4, 0);
          assert.deepEqual(parseChannelData(bytes), {
            channel: frames[i]?.[0],
            data: frames[i]?.[1],
          });
        }
        const stream = Buffer.concat(encoded);
        const framer = new StreamFramer();
        const out: Uint8Array[] = [];
        for (let offset = 0; offset < stream.length; offset += chunkSize) {
          const result = framer.push(stream.subarray(offset, offset + chunkSize));
          assert.ok(result.ok);
          out.push(...result.frames);
        }
        assert.deepEqual(
          out.map((f) => Buffer.from(f)),
          encoded.map((f) => Buffer.from(f)),
        );
      },
    ),
  );
});

// Fuzzing regression (stun-attributes target): the decoder dropped a leading U+FEFF, so
// `EF BB BF` + "a" and "a" decoded to the same USERNAME, and ERROR-CODE 300 with a reason of only
// a byte-order mark re-encoded to 4 bytes instead of 7. Text attributes keep every byte.
test('a leading byte-order mark stays part of a text attribute', () => {
  const id = new Uint8Array(12);
  const bom = [0xef, 0xbb, 0xbf];
  for (const codec of [username, realm, nonce, software]) {
    const bytes = Uint8Array.from([...bom, 0x61]);
    const decoded = codec.decode(bytes, id);
    assert.ok(decoded.ok);
    assert.equal(decoded.value, '\ufeffa');
    assert.deepEqual(codec.encode(decoded.value, id), bytes);
  }
  const exact = Uint8Array.from([0, 0, 3, 0, ...bom]);
  const decoded = errorCode.decode(exact, id);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, { code: 300, reason: '\ufeff' });
  assert.deepEqual(errorCode.encode(decoded.value, id), exact);
});
