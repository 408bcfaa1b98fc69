import { sigmeshError } from '@sigmesh/protocol';

/** Throws on any byte sequence that is not UTF-8 (RFC 3629): no U+FFFD repair. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A JSON body from its exact bytes. JSON between systems must be UTF-8 (RFC 8259 §8.1); a body
 * that is not is refused (`BAD_UTF8`) rather than decoded with replacement characters, which
 * would relay text other than what the sender wrote and paid for. Then `BAD_JSON` if it does
 * not parse.
 */
export function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw sigmeshError('BAD_UTF8', 'the body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw sigmeshError('BAD_JSON', 'the body is not valid JSON');
  }
}
