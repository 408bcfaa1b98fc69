import {
  fromBase64url,
  sealedPayloadAad,
  toBase64url,
  type SealedPayload,
} from '@sigmesh/protocol';
import { asBufferSource, encode } from './encode.js';

/** PBKDF2-HMAC-SHA-256 iterations (OWASP 2023 guidance for PBKDF2-SHA256: 600,000). */
export const ROOM_KEY_ITERATIONS = 600_000;

/**
 * The AES-256-GCM key of a password-protected room: PBKDF2-SHA-256 over the password, salted
 * with the app id and room name, so one password gives unrelated keys in different rooms. Every
 * signaling payload is sealed with it, bound to the room and the sender's and addressee's member
 * ids, so a node can neither read SDP nor swap DTLS fingerprints nor move a payload.
 */
export class RoomKey {
  private constructor(private readonly key: CryptoKey) {}

  static async derive(password: string, appId: string, room: string): Promise<RoomKey> {
    const material = await crypto.subtle.importKey('raw', encode(password), 'PBKDF2', false, [
      'deriveKey',
    ]);
    const key = await crypto.subtle.deriveKey(
      {
        name: 'PBKDF2',
        hash: 'SHA-256',
        salt: encode(`sigmesh-room-key:v1\n${appId}\n${room}`),
        iterations: ROOM_KEY_ITERATIONS,
      },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
    return new RoomKey(key);
  }

  async seal(
    text: string,
    room: string,
    from: string,
    to: string | undefined,
  ): Promise<SealedPayload> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encode(sealedPayloadAad(room, from, to)) },
        this.key,
        encode(text),
      ),
    );
    const box = new Uint8Array(iv.length + sealed.length);
    box.set(iv, 0);
    box.set(sealed, iv.length);
    return { v: 1, kind: 'sealed', box: toBase64url(box) };
  }

  /** The plaintext, or undefined when the tag does not verify (wrong password or tampering). */
  async open(
    payload: SealedPayload,
    room: string,
    from: string,
    to: string | undefined,
  ): Promise<string | undefined> {
    const box = fromBase64url(payload.box);
    if (box === undefined || box.length < 12 + 16) return undefined;
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: asBufferSource(box.subarray(0, 12)),
          additionalData: encode(sealedPayloadAad(room, from, to)),
        },
        this.key,
        asBufferSource(box.subarray(12)),
      );
      return new TextDecoder().decode(plain);
    } catch {
      return undefined;
    }
  }
}
