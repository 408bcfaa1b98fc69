/**
 * Valid STUN/TURN material to mutate: attribute values for every codec, whole messages (with
 * MESSAGE-INTEGRITY and FINGERPRINT or without), ChannelData frames, and peer addresses both
 * allowed and denied by the default peer policy.
 */
import fc from 'fast-check';
import type { AttributeCodec } from '../../packages/node/src/turn/attributes/attribute-codec.js';
import { alternateServer } from '../../packages/node/src/turn/attributes/alternate-server.js';
import { channelNumber } from '../../packages/node/src/turn/attributes/channel-number.js';
import { data } from '../../packages/node/src/turn/attributes/data.js';
import { dontFragment } from '../../packages/node/src/turn/attributes/dont-fragment.js';
import { errorCode } from '../../packages/node/src/turn/attributes/error-code.js';
import { evenPort } from '../../packages/node/src/turn/attributes/even-port.js';
import { fingerprint } from '../../packages/node/src/turn/attributes/fingerprint.js';
import { lifetime } from '../../packages/node/src/turn/attributes/lifetime.js';
import { mappedAddress } from '../../packages/node/src/turn/attributes/mapped-address.js';
import { messageIntegrity } from '../../packages/node/src/turn/attributes/message-integrity.js';
import { nonce } from '../../packages/node/src/turn/attributes/nonce.js';
import { realm } from '../../packages/node/src/turn/attributes/realm.js';
import { requestedAddressFamily } from '../../packages/node/src/turn/attributes/requested-address-family.js';
import { requestedTransport } from '../../packages/node/src/turn/attributes/requested-transport.js';
import { reservationToken } from '../../packages/node/src/turn/attributes/reservation-token.js';
import { software } from '../../packages/node/src/turn/attributes/software.js';
import { unknownAttributes } from '../../packages/node/src/turn/attributes/unknown-attributes.js';
import { username } from '../../packages/node/src/turn/attributes/username.js';
import { xorMappedAddress } from '../../packages/node/src/turn/attributes/xor-mapped-address.js';
import { xorPeerAddress } from '../../packages/node/src/turn/attributes/xor-peer-address.js';
import { xorRelayedAddress } from '../../packages/node/src/turn/attributes/xor-relayed-address.js';
import { mutatedText } from '../lib/text-mutations.js';
import { encodeChannelData } from '../../packages/node/src/turn/channel-data-frame.js';
import { formatIp, type TransportAddress } from '../../packages/node/src/turn/ip-address.js';
import { encodeSignedMessage } from '../../packages/node/src/turn/stun-integrity.js';
import {
  ATTR_FINGERPRINT,
  ATTR_MESSAGE_INTEGRITY,
  ATTR_MESSAGE_INTEGRITY_SHA256,
  StunMethod,
  type AttributeInput,
  type StunClass,
  type StunMessageInput,
} from '../../packages/node/src/turn/stun-message.js';

export const transactionId = fc.uint8Array({ minLength: 12, maxLength: 12 });

/** Peer addresses: public ones the policy allows, and the special ranges it must deny. */
export const peerAddress: fc.Arbitrary<TransportAddress> = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '8.8.8.8',
          '1.1.1.1',
          '127.0.0.1',
          '10.0.0.1',
          '0.0.0.0',
          '255.255.255.255',
          '169.254.1.1',
          '192.168.1.1',
        ),
        fc.ipV4(),
      ),
      fc.oneof(fc.constantFrom(0, 1, 3478, 65535), fc.integer({ min: 0, max: 65535 })),
    )
    .map(([address, port]) => ({ family: 4 as const, address, port })),
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '::1',
          '::',
          '::ffff:127.0.0.1',
          '::ffff:8.8.8.8',
          'fe80::1',
          '2001:4860:4860::8888',
          '64:ff9b::a00:1',
        ),
        fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => formatIp(bytes)),
      ),
      fc.integer({ min: 0, max: 65535 }),
    )
    .map(([address, port]) => ({ family: 6 as const, address, port })),
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Text a sender can encode (no lone surrogates), nasty characters included, within `maxBytes`. */
const text = (maxBytes: number): fc.Arbitrary<string> =>
  mutatedText(fc.string({ unit: 'grapheme', maxLength: 64 }), 2).filter(
    (s) => !LONE_SURROGATE.test(s) && new TextEncoder().encode(s).length <= maxBytes,
  );

/** A codec with values to encode and what its decoder ignores (RFC "reserved" bits). */
export interface CodecCase {
  readonly codec: AttributeCodec<unknown>;
  readonly values: fc.Arbitrary<unknown>;
  /** The bytes with the bits the decoder must ignore set to zero (what encode writes). */
  readonly canonical: (bytes: Uint8Array) => Uint8Array;
}

const exact = (bytes: Uint8Array): Uint8Array => bytes;
const zeroing =
  (...masks: Array<[index: number, keep: number]>) =>
  (bytes: Uint8Array): Uint8Array => {
    const out = bytes.slice();
    for (const [index, keep] of masks) if (index < out.length) out[index]! &= keep;
    return out;
  };

function codecCase<T>(
  codec: AttributeCodec<T>,
  values: fc.Arbitrary<T>,
  canonical: (bytes: Uint8Array) => Uint8Array = exact,
): CodecCase {
  return { codec: codec, values, canonical };
}

/** Every attribute codec the server has, with generators of valid values. */
export const codecCases: readonly CodecCase[] = [
  codecCase(xorMappedAddress, peerAddress, zeroing([0, 0])),
  codecCase(xorPeerAddress, peerAddress, zeroing([0, 0])),
  codecCase(xorRelayedAddress, peerAddress, zeroing([0, 0])),
  codecCase(mappedAddress, peerAddress, zeroing([0, 0])),
  codecCase(alternateServer, peerAddress, zeroing([0, 0])),
  codecCase(username, text(508)),
  codecCase(realm, text(763)),
  codecCase(nonce, text(763)),
  codecCase(software, text(763)),
  codecCase(lifetime, fc.integer({ min: 0, max: 0xffffffff })),
  codecCase(fingerprint, fc.integer({ min: 0, max: 0xffffffff })),
  codecCase(channelNumber, fc.integer({ min: 0, max: 0xffff }), zeroing([2, 0], [3, 0])),
  codecCase(requestedTransport, fc.integer({ min: 0, max: 255 }), zeroing([1, 0], [2, 0], [3, 0])),
  codecCase(
    requestedAddressFamily,
    fc.constantFrom(4 as const, 6 as const),
    zeroing([1, 0], [2, 0], [3, 0]),
  ),
  codecCase(
    evenPort,
    fc.boolean().map((reserveNext) => ({ reserveNext })),
    zeroing([0, 0x80]),
  ),
  codecCase(dontFragment, fc.constant(true as const)),
  codecCase(data, fc.uint8Array({ maxLength: 300 })),
  codecCase(messageIntegrity, fc.uint8Array({ minLength: 20, maxLength: 20 })),
  codecCase(reservationToken, fc.uint8Array({ minLength: 8, maxLength: 8 })),
  codecCase(unknownAttributes, fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 })),
  codecCase(
    errorCode,
    fc
      .tuple(fc.integer({ min: 300, max: 699 }), text(200))
      .map(([code, reason]) => ({ code, reason })),
    zeroing([0, 0], [1, 0], [2, 0x07]),
  ),
];

/** Codecs of attributes a message may carry anywhere (not MESSAGE-INTEGRITY, FINGERPRINT). */
const placeableCases = codecCases.filter(
  (entry) => entry.codec.type !== ATTR_MESSAGE_INTEGRITY && entry.codec.type !== ATTR_FINGERPRINT,
);

/** One valid attribute of any codec, encoded under `id`. */
export function validAttribute(id: Uint8Array): fc.Arbitrary<AttributeInput> {
  return fc.constantFrom(...placeableCases).chain((entry) =>
    entry.values.map((value) => ({
      type: entry.codec.type,
      value: entry.codec.encode(value, id),
    })),
  );
}

/** An attribute of any type the parser does not treat specially, with any value. */
export const otherAttribute: fc.Arbitrary<AttributeInput> = fc.record({
  type: fc
    .integer({ min: 0, max: 0xffff })
    .filter(
      (t) =>
        t !== ATTR_MESSAGE_INTEGRITY &&
        t !== ATTR_MESSAGE_INTEGRITY_SHA256 &&
        t !== ATTR_FINGERPRINT,
    ),
  value: fc.uint8Array({ maxLength: 40 }),
});

const classes: StunClass[] = ['request', 'indication', 'success', 'error'];

/** A message as sent, with how it was signed. */
export interface SignedStun {
  readonly input: StunMessageInput;
  readonly key: Uint8Array | undefined;
  readonly fingerprint: boolean;
  readonly bytes: Uint8Array;
}

/** Valid STUN messages: known and unknown methods, valid and foreign attributes, signed or not. */
export const signedStun: fc.Arbitrary<SignedStun> = fc
  .tuple(
    fc.oneof(fc.constantFrom(...Object.values(StunMethod)), fc.integer({ min: 0, max: 0xfff })),
    fc.constantFrom(...classes),
    transactionId,
    fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: undefined }),
    fc.boolean(),
  )
  .chain(([method, cls, id, key, withFingerprint]) =>
    fc
      .array(fc.oneof(validAttribute(id), otherAttribute), { maxLength: 6 })
      .map((attributes): SignedStun => {
        const input = { method, cls, transactionId: id, attributes };
        const bytes = encodeSignedMessage(input, { key, fingerprint: withFingerprint });
        return { input, key, fingerprint: withFingerprint, bytes };
      }),
  );

/** A ChannelData frame as encoded, padded (TCP) or not (UDP). */
export interface ChannelDataSeed {
  readonly channel: number;
  readonly data: Uint8Array;
  readonly padded: boolean;
  readonly bytes: Uint8Array;
}

export const channelDataSeed: fc.Arbitrary<ChannelDataSeed> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(0x4000, 0x4fff, 0x5000, 0x7fff),
      fc.integer({ min: 0x4000, max: 0x7fff }),
    ),
    fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(1200, 65535).map((n) => new Uint8Array(n)),
    ),
    fc.boolean(),
  )
  .map(([channel, payload, padded]) => ({
    channel,
    data: payload,
    padded,
    bytes: encodeChannelData(channel, payload, padded),
  }));
