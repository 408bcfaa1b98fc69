import { fromBase64url, fromHex, toBase64url, toHex } from '@sigmesh/protocol';
import { asBufferSource, encode } from '../signaling/encode.js';

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

/**
 * The room a call's two peers meet in: named after the call id, so the caller joins it while the
 * call rings (its key follows the answer). The nodes that carried the ring can compute it too; what
 * keeps them out is the room's key, which only the two can derive ({@link CallKeyPair.secret}).
 */
export function callRoom(call: string): string {
  return `sigmesh-call:${call}`;
}

/** Who and what a call's secret is bound to: the call id, both lasting keys, both ephemeral keys. */
export interface CallContext {
  readonly call: string;
  readonly caller: string;
  readonly callee: string;
  readonly callerEph: string;
  readonly calleeEph: string;
}

/**
 * One side's ephemeral ECDH key (P-256) for one call. Each side sends its public half in a message
 * signed by its lasting key (ring, accept), so the agreed secret is known to the two people only:
 * a node relaying both messages can neither read it nor swap a key without breaking a signature.
 * Fresh per call: a later leak of a lasting key does not open past calls.
 */
export class CallKeyPair {
  private constructor(
    readonly publicKey: string,
    private readonly privateKey: CryptoKey,
  ) {}

  static async create(): Promise<CallKeyPair> {
    const pair = await crypto.subtle.generateKey(ECDH, false, ['deriveBits']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return new CallKeyPair(toBase64url(raw), pair.privateKey);
  }

  /**
   * The call room's secret (32 bytes; the room key comes from it, `RoomKey.fromSecret`):
   * HKDF-SHA-256 over the ECDH secret, salted with the call id, its info naming both lasting and
   * both ephemeral keys. Rejects when the peer's key is not a point.
   */
  async secret(context: CallContext): Promise<Uint8Array> {
    const peer = context.callerEph === this.publicKey ? context.calleeEph : context.callerEph;
    const raw = fromBase64url(peer);
    if (raw === undefined) throw new TypeError('bad ephemeral key');
    const peerKey = await crypto.subtle.importKey('raw', asBufferSource(raw), ECDH, false, []);
    const shared = await crypto.subtle.deriveBits(
      { name: 'ECDH', public: peerKey },
      this.privateKey,
      256,
    );
    const material = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveBits']);
    const info = [
      'sigmesh-call:v1',
      context.caller,
      context.callee,
      context.callerEph,
      context.calleeEph,
    ].join('\n');
    return new Uint8Array(
      await crypto.subtle.deriveBits(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: asBufferSource(fromHex(context.call) ?? new Uint8Array(16)),
          info: encode(info),
        },
        material,
        256,
      ),
    );
  }
}

/** A fresh call id: 16 random bytes, hex. */
export function newCallId(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(16)));
}
