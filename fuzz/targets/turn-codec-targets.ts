/**
 * The binary codecs every datagram to the TURN port goes through: STUN message framing
 * (RFC 8489 §5, §14), each attribute codec, and ChannelData framing (RFC 8656 §12.4).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mutatedBytes } from '../lib/byte-mutations.js';
import { fuzzTarget } from '../lib/fuzz-target.js';
import {
  encodeChannelData,
  MAX_CHANNEL,
  MIN_CHANNEL,
  parseChannelData,
} from '../../packages/node/src/turn/channel-data-frame.js';
import {
  fingerprintMatches,
  verifyMessageIntegrity,
} from '../../packages/node/src/turn/stun-integrity.js';
import { unknownRequiredTypes } from '../../packages/node/src/turn/attributes/known-attributes.js';
import {
  ATTR_FINGERPRINT,
  ATTR_MESSAGE_INTEGRITY,
  encodeStunMessage,
  HEADER_LENGTH,
  padded,
  parseStunMessage,
  type StunMessage,
} from '../../packages/node/src/turn/stun-message.js';
import {
  channelDataSeed,
  codecCases,
  signedStun,
  transactionId,
  type SignedStun,
} from './turn-seeds.js';

const anyKey = new Uint8Array(16).fill(7);

/** A STUN header in front of noise: gets past the cheap checks into the attribute walk. */
const stunNoise = fc
  .tuple(fc.integer({ min: 0, max: 0x3fff }), transactionId, fc.uint8Array({ maxLength: 120 }))
  .map(([type, id, body]) => {
    const out = new Uint8Array(HEADER_LENGTH + body.length);
    const view = new DataView(out.buffer);
    view.setUint16(0, type);
    view.setUint16(2, body.length);
    view.setUint32(4, 0x2112a442);
    out.set(id, 8);
    out.set(body, HEADER_LENGTH);
    return out;
  });

export const stunMessageTarget = fuzzTarget({
  name: 'stun-message',
  covers: [
    'parseStunMessage (packages/node/src/turn/stun-message.ts)',
    'fingerprintMatches, verifyMessageIntegrity (stun-integrity.ts)',
    'unknownRequiredTypes (attributes/known-attributes.ts)',
  ],
  inputs: fc.oneof(
    { weight: 1, arbitrary: signedStun.map((sent) => ({ bytes: sent.bytes, sent })) },
    {
      weight: 6,
      arbitrary: mutatedBytes(signedStun.map((s) => s.bytes)).map((bytes) => ({
        bytes,
        sent: undefined,
      })),
    },
    { weight: 2, arbitrary: mutatedBytes(stunNoise).map((bytes) => ({ bytes, sent: undefined })) },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes) => ({ bytes, sent: undefined })),
    },
  ),
  check({ bytes, sent }: { bytes: Uint8Array; sent: SignedStun | undefined }) {
    const parsed = parseStunMessage(bytes);
    if (!parsed.ok) {
      assert.equal(typeof parsed.reason, 'string');
      assert.equal(sent, undefined, `a valid message was refused: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    checkFraming(message, bytes);
    // The rest of the datagram path, which must not throw on anything framing let through.
    fingerprintMatches(message);
    verifyMessageIntegrity(message, anyKey);
    unknownRequiredTypes(message.attributes.map((a) => a.type));
    if (sent !== undefined) checkSent(message, sent);
  },
});

/** What a framed message must satisfy, and that framing undoes encoding where nothing was dropped. */
function checkFraming(message: StunMessage, bytes: Uint8Array): void {
  assert.equal(message.raw, bytes);
  assert.equal(((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0), bytes.length - HEADER_LENGTH);
  assert.ok(message.method >= 0 && message.method <= 0xfff);
  assert.deepEqual(message.transactionId, bytes.subarray(8, 20));
  let previous = HEADER_LENGTH - 1;
  let walked = 0;
  let paddingIsZero = true;
  for (const attribute of message.attributes) {
    assert.ok(attribute.offset > previous, 'attributes in order');
    previous = attribute.offset;
    const start = attribute.offset + 4;
    assert.equal(
      ((bytes[attribute.offset + 2] ?? 0) << 8) | (bytes[attribute.offset + 3] ?? 0),
      attribute.value.length,
    );
    assert.ok(start + attribute.value.length <= bytes.length, 'value inside the message');
    assert.equal(attribute.value.buffer, bytes.buffer);
    assert.equal(attribute.value.byteOffset, bytes.byteOffset + start);
    for (let i = start + attribute.value.length; i < start + padded(attribute.value.length); i++)
      if (bytes[i] !== 0) paddingIsZero = false;
    walked += 4 + padded(attribute.value.length);
  }
  if (message.attributes.some((a) => a.type === ATTR_FINGERPRINT))
    assert.equal(message.attributes.at(-1)?.type, ATTR_FINGERPRINT, 'FINGERPRINT is last');
  // Every TLV kept and zero padding: encoding the parsed message gives the bytes back.
  if (walked === bytes.length - HEADER_LENGTH && paddingIsZero) {
    const again = encodeStunMessage({
      method: message.method,
      cls: message.cls,
      transactionId: message.transactionId,
      attributes: message.attributes.map((a) => ({ type: a.type, value: a.value })),
    });
    assert.deepEqual(again, Uint8Array.from(bytes));
  }
}

/** decode(encode(v)) == v for a message as sent, with its integrity and fingerprint checking. */
function checkSent(message: StunMessage, sent: SignedStun): void {
  assert.equal(message.method, sent.input.method);
  assert.equal(message.cls, sent.input.cls);
  assert.deepEqual(Uint8Array.from(message.transactionId), sent.input.transactionId);
  const mine = message.attributes.slice(0, sent.input.attributes.length);
  assert.deepEqual(
    mine.map((a) => ({ type: a.type, value: Uint8Array.from(a.value) })),
    sent.input.attributes.map((a) => ({ type: a.type, value: Uint8Array.from(a.value) })),
  );
  if (sent.key !== undefined) assert.ok(verifyMessageIntegrity(message, sent.key), 'MI verifies');
  else assert.ok(!message.attributes.some((a) => a.type === ATTR_MESSAGE_INTEGRITY));
  assert.ok(fingerprintMatches(message), 'FINGERPRINT matches');
}

export const stunAttributeTarget = fuzzTarget({
  name: 'stun-attributes',
  covers: ['every attribute codec in packages/node/src/turn/attributes/ (decode and encode)'],
  inputs: fc
    .tuple(fc.integer({ min: 0, max: codecCases.length - 1 }), transactionId)
    .chain(([index, id]) => {
      const entry = codecCases[index]!;
      const valid = entry.values.map((value) => entry.codec.encode(value, id));
      return fc
        .oneof(
          { weight: 1, arbitrary: valid.map((bytes) => ({ bytes, valid: true })) },
          { weight: 4, arbitrary: mutatedBytes(valid).map((bytes) => ({ bytes, valid: false })) },
          {
            weight: 1,
            arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => ({ bytes, valid: false })),
          },
        )
        .map((input) => ({ index, id, ...input }));
    }),
  check({
    index,
    id,
    bytes,
    valid,
  }: {
    index: number;
    id: Uint8Array;
    bytes: Uint8Array;
    valid: boolean;
  }) {
    const { codec, canonical } = codecCases[index]!;
    const decoded = codec.decode(bytes, id);
    if (!decoded.ok) {
      assert.equal(typeof decoded.reason, 'string');
      assert.ok(!valid, `${codec.name} refused its own encoding: ${decoded.reason}`);
      return;
    }
    // Round trip: what decodes, encodes back to the same bytes (reserved bits as zero) and the
    // same value — one value, one spelling.
    const again = codec.encode(decoded.value, id);
    assert.deepEqual(
      again,
      canonical(Uint8Array.from(bytes)),
      `${codec.name} re-encodes to other bytes`,
    );
    const twice = codec.decode(again, id);
    assert.ok(twice.ok);
    assert.deepEqual(twice.value, decoded.value);
  },
});

export const channelDataTarget = fuzzTarget({
  name: 'channel-data',
  covers: ['parseChannelData, encodeChannelData (packages/node/src/turn/channel-data-frame.ts)'],
  inputs: fc.oneof(
    { weight: 1, arbitrary: channelDataSeed.map((seed) => ({ bytes: seed.bytes, seed })) },
    {
      weight: 4,
      arbitrary: mutatedBytes(channelDataSeed.map((s) => s.bytes)).map((bytes) => ({
        bytes,
        seed: undefined,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 12 }).map((bytes) => ({ bytes, seed: undefined })),
    },
  ),
  check({
    bytes,
    seed,
  }: {
    bytes: Uint8Array;
    seed: { channel: number; data: Uint8Array } | undefined;
  }) {
    const frame = parseChannelData(bytes);
    const channel = bytes.length >= 2 ? ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0) : -1;
    const length = bytes.length >= 4 ? ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0) : -1;
    const fits =
      bytes.length >= 4 &&
      channel >= MIN_CHANNEL &&
      channel <= MAX_CHANNEL &&
      4 + length <= bytes.length;
    if (frame === undefined) {
      assert.ok(!fits, 'a well-formed frame was refused');
      return;
    }
    assert.ok(fits, 'a frame was read past its bytes or outside the channel range');
    assert.equal(frame.channel, channel);
    assert.deepEqual(frame.data, bytes.subarray(4, 4 + length));
    assert.deepEqual(
      encodeChannelData(frame.channel, frame.data, false),
      Uint8Array.from(bytes.subarray(0, 4 + length)),
    );
    if (seed !== undefined) {
      assert.equal(frame.channel, seed.channel);
      assert.deepEqual(Uint8Array.from(frame.data), seed.data);
    }
  },
});
