/**
 * Proof-of-work text a client sends (`Authorization: PoW <challenge>.<counter>`, the `pow` query
 * parameter) and a node sends (`WWW-Authenticate: PoW challenge=…`), and the challenge codec
 * with the base64url it rests on (packages/protocol/src/pow-*.ts, encoding.ts).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeChallenge,
  formatPowAuthorization,
  formatPowToken,
  formatPowWwwAuthenticate,
  fromBase64url,
  parsePowOffer,
  parsePowToken,
  parsePowWwwAuthenticate,
  powTokenFromAuthorization,
  POW_MAX_COUNTER,
  toBase64url,
  type PowOffer,
} from '@sigmesh/protocol';
import { decodeBase64urlNative } from '../../packages/node/src/pow/native-base64url.js';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { parsedValue } from '../lib/oracles.js';
import { mutatedText } from '../lib/text-mutations.js';
import { challengeText, powOffer } from './protocol-seeds.js';

const counter = fc.oneof(
  fc.constantFrom(0, 1, POW_MAX_COUNTER),
  fc.nat(),
  fc.integer({ min: 0, max: POW_MAX_COUNTER }),
);
const token = fc
  .tuple(challengeText, counter)
  .map(([challenge, n]) => formatPowToken(challenge, n));

export const powTokenTarget = fuzzTarget({
  name: 'pow-token',
  covers: [
    'parsePowToken, formatPowToken (packages/protocol/src/pow-token.ts)',
    'decodeChallenge, encodeChallenge (pow-challenge.ts)',
    'fromBase64url, toBase64url (encoding.ts)',
    "decodeBase64urlNative (packages/node/src/pow/native-base64url.ts): the node's token decoder, against fromBase64url",
  ],
  inputs: fc.oneof(
    { weight: 1, arbitrary: token.map((text) => ({ text, valid: true })) },
    { weight: 4, arbitrary: mutatedText(token).map((text) => ({ text, valid: false })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((text) => ({ text, valid: false })) },
  ),
  check({ text, valid }: { text: string; valid: boolean }) {
    const parsed = parsedValue(parsePowToken(text), ['POW_MALFORMED']);
    const dot = text.indexOf('.');
    const bytes = fromBase64url(dot < 0 ? text : text.slice(0, dot));
    // The node decodes tokens natively: it must answer exactly as the protocol's decoder.
    const native = decodeBase64urlNative(dot < 0 ? text : text.slice(0, dot));
    assert.deepEqual(native && [...native], bytes && [...bytes], 'the native decoder agrees');
    const nativeParse = parsePowToken(text, decodeBase64urlNative);
    assert.equal(nativeParse.ok, parsed !== undefined, 'the node parses the token alike');
    if (nativeParse.ok && parsed !== undefined) {
      assert.deepEqual([...nativeParse.value.challenge.bytes], [...parsed.challenge.bytes]);
      assert.equal(nativeParse.value.counter, parsed.counter);
    }
    if (bytes !== undefined)
      assert.equal(
        toBase64url(bytes),
        dot < 0 ? text : text.slice(0, dot),
        'base64url has one spelling',
      );
    if (parsed === undefined) {
      assert.ok(!valid, 'a valid token was refused');
      return;
    }
    // One token, one spelling: what parses formats back to the very same text.
    assert.equal(formatPowToken(parsed.challenge.text, parsed.counter), text);
    assert.ok(Number.isSafeInteger(parsed.counter) && parsed.counter >= 0);
    assert.equal(parsed.challenge.bytes.length, 43);
    assert.ok(parsed.challenge.difficulty >= 1);
    const again = decodeChallenge(parsed.challenge.text);
    assert.ok(again.ok);
    assert.deepEqual(again.value, parsed.challenge);
  },
});

const authorization = fc
  .tuple(challengeText, counter)
  .map(([c, n]) => formatPowAuthorization(c, n));
const wwwAuthenticate = powOffer.map(formatPowWwwAuthenticate);

export const powHeadersTarget = fuzzTarget({
  name: 'pow-headers',
  covers: [
    'powTokenFromAuthorization (packages/protocol/src/pow-token.ts): Authorization on every paid route',
    'parsePowWwwAuthenticate (pow-token.ts): WWW-Authenticate of a 401, read by the client',
  ],
  inputs: fc.oneof(
    {
      weight: 1,
      arbitrary: powOffer.map((offer) => ({ header: formatPowWwwAuthenticate(offer), offer })),
    },
    {
      weight: 4,
      arbitrary: mutatedText(fc.oneof(authorization, wwwAuthenticate), 3).map((header) => ({
        header,
        offer: undefined,
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ maxLength: 100 })
        .map((header) => ({ header: `PoW ${header}`, offer: undefined })),
    },
  ),
  check({ header, offer }: { header: string; offer: PowOffer | undefined }) {
    const token = powTokenFromAuthorization(header);
    if (token !== undefined) {
      assert.ok(
        token.length > 0 && !/\s/.test(token),
        'a token is one run of non-space characters',
      );
      assert.equal(powTokenFromAuthorization(`PoW ${token}`), token);
    }
    const parsed = parsePowWwwAuthenticate(header);
    if (offer !== undefined)
      assert.deepEqual(parsed, { ...offer }, 'a formatted offer parses back to itself');
    if (parsed === undefined) return;
    // The same offer type arrives as JSON too (welcome, post results): both parsers must agree.
    assert.ok(parsePowOffer(parsed).ok, `an offer JSON would refuse: ${JSON.stringify(parsed)}`);
    assert.deepEqual(parsePowWwwAuthenticate(formatPowWwwAuthenticate(parsed)), parsed);
  },
});
