import {
  fromBase64url,
  parseSealedInboxPayload,
  toBase64url,
  type RoomHash,
  type SealedInboxPayload,
} from '@sigmesh/protocol';
import { asBufferSource, encode } from '../signaling/encode.js';

/** How an inbox's messages travel: as they are (a public inbox), or sealed (a private one). */
export interface InboxEnvelope {
  /** The `data` to post for `message`. */
  wrap(message: unknown): Promise<unknown>;
  /** The message in posted `data`; undefined when it is not one (unsealed, forged, garbled). */
  unwrap(data: unknown): Promise<unknown>;
}

/** A public inbox's envelope: messages as they are (signed, readable by the nodes). */
export const OPEN_ENVELOPE: InboxEnvelope = {
  wrap: (message) => Promise.resolve(message),
  unwrap: (data) => Promise.resolve(data),
};

/**
 * A private inbox's envelope: every message sealed with AES-256-GCM under a key from the inbox's
 * seal secret (HKDF-SHA-256), its room hash as associated data, so nodes see neither who writes
 * nor what, and a box cannot be moved to another inbox.
 */
export async function sealedEnvelope(seal: Uint8Array, room: RoomHash): Promise<InboxEnvelope> {
  const material = await crypto.subtle.importKey('raw', asBufferSource(seal), 'HKDF', false, [
    'deriveKey',
  ]);
  const key = await crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encode('sigmesh-private-inbox:v1'),
      info: encode('seal'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  const additionalData = encode(room);
  return {
    async wrap(message) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv, additionalData },
          key,
          encode(JSON.stringify(message)),
        ),
      );
      const box = new Uint8Array(12 + sealed.length);
      box.set(iv);
      box.set(sealed, 12);
      const payload: SealedInboxPayload = { v: 1, kind: 'sealed', box: toBase64url(box) };
      return payload;
    },
    async unwrap(data) {
      const payload = parseSealedInboxPayload(data);
      const box = payload.ok ? fromBase64url(payload.value.box) : undefined;
      if (box === undefined) return undefined;
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: asBufferSource(box.subarray(0, 12)), additionalData },
          key,
          asBufferSource(box.subarray(12)),
        );
        return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain)) as unknown;
      } catch {
        return undefined;
      }
    },
  };
}
