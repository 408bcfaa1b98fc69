import {
  readSealedBox,
  SEALED_FORMAT,
  sealedPayloadAad,
  writeSealedBox,
  type SealedPayload,
} from '@sigmesh/protocol';
import { asBufferSource, encode } from './encode.js';

/** PBKDF2-HMAC-SHA-256 iterations (OWASP 2023 guidance for PBKDF2-SHA256: 600,000). */
export const ROOM_KEY_ITERATIONS = 600_000;

/**
 * The AES-256-GCM key of a password-protected room: PBKDF2-SHA-256 over the password, salted
 * with the app id and room name, so one password gives unrelated keys in different rooms. Every
 * signaling payload is sealed with it, bound to the room, the sender's and addressee's member
 * ids and the send time, so a node can neither read SDP nor swap DTLS fingerprints nor move a
 * payload; {@link ReplayGuard} then refuses copies and old boxes.
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

  /**
   * The key of a room whose secret is already uniformly random (a call's, from its ECDH
   * agreement): HKDF-SHA-256, salted like {@link derive} — no stretching needed, so no 600,000
   * iterations on the way to the first sealed hello.
   */
  static async fromSecret(secret: Uint8Array, appId: string, room: string): Promise<RoomKey> {
    if (secret.length < 16) throw new RangeError('a room secret is at least 16 bytes');
    const material = await crypto.subtle.importKey('raw', asBufferSource(secret), 'HKDF', false, [
      'deriveKey',
    ]);
    const key = await crypto.subtle.deriveKey(
      {
        name: 'HKDF',
        hash: 'SHA-256',
        salt: encode(`sigmesh-room-key:v1\n${appId}\n${room}`),
        info: encode('sigmesh-room-secret:v1'),
      },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
    return new RoomKey(key);
  }

  /** Seals `text` from member `from` to `to` (or everyone), stamped with `sentAt` (ms). */
  async seal(
    text: string,
    room: string,
    from: string,
    to: string | undefined,
    sentAt: number,
  ): Promise<SealedPayload> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encode(sealedPayloadAad(room, from, to, sentAt)) },
        this.key,
        encode(text),
      ),
    );
    return { v: SEALED_FORMAT, kind: 'sealed', box: writeSealedBox({ sentAt, iv, sealed }) };
  }

  /**
   * The plaintext with the box's send time and IV, or undefined when the box is malformed or its
   * tag does not verify (wrong password or tampering). Freshness is the caller's to check.
   */
  async open(
    payload: SealedPayload,
    room: string,
    from: string,
    to: string | undefined,
  ): Promise<OpenedBox | undefined> {
    const box = readSealedBox(payload.box);
    if (box === undefined) return undefined;
    try {
      const plain = await crypto.subtle.decrypt(
        {
          name: 'AES-GCM',
          iv: asBufferSource(box.iv),
          additionalData: encode(sealedPayloadAad(room, from, to, box.sentAt)),
        },
        this.key,
        asBufferSource(box.sealed),
      );
      return { text: new TextDecoder().decode(plain), sentAt: box.sentAt, iv: box.iv };
    } catch {
      return undefined;
    }
  }
}

/** What an authentic box holds. */
export interface OpenedBox {
  readonly text: string;
  /** The sender's clock when it sealed the box (ms since the Unix epoch). */
  readonly sentAt: number;
  /** The box's random IV: its identity for replay checks. */
  readonly iv: Uint8Array;
}
