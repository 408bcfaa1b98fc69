import { fromBase64url, inboxRoomHash, toBase64url, type RoomHash } from '@sigmesh/protocol';
import { asBufferSource, encode } from '../signaling/encode.js';
import { isPeerKey, type InboxSigner } from './inbox-signing.js';

/**
 * Where a person listens privately: an inbox of a second key that nothing public links to them,
 * and the secret its messages are sealed with. Both travel only in contact links (out of band), so
 * a node sees a pseudonymous inbox and sealed boxes: not who rings whom.
 */
export interface PrivateInboxAddress {
  /** The private inbox's key (raw ed25519, base64url). */
  readonly key: string;
  /** The seal secret (32 bytes, base64url). */
  readonly seal: string;
}

/**
 * The private inbox address of `signer` (a second key, kept like the identity): its seal secret
 * is SHA-256 of the key's signature over a fixed text — Ed25519 signs deterministically, so the
 * owner recomputes it on every load without storing more than the key.
 */
export async function privateInboxAddress(signer: InboxSigner): Promise<PrivateInboxAddress> {
  const signature = await signer.sign(encode('sigmesh-private-inbox:v1 seal'));
  const seal = new Uint8Array(await crypto.subtle.digest('SHA-256', asBufferSource(signature)));
  return { key: signer.publicKey, seal: toBase64url(seal) };
}

/** The address's inbox room and seal secret, or undefined for a malformed address. */
export function privateInboxParts(
  address: PrivateInboxAddress,
): { room: RoomHash; seal: Uint8Array } | undefined {
  const key = isPeerKey(address.key) ? fromBase64url(address.key) : undefined;
  const seal = fromBase64url(address.seal);
  if (key === undefined || seal?.length !== 32) return undefined;
  return { room: inboxRoomHash(key), seal };
}

/** The `inbox` value of a contact link: `KEY.SEAL`. */
export function formatPrivateInbox(address: PrivateInboxAddress): string {
  return `${address.key}.${address.seal}`;
}

/** Reads a contact link's `inbox` value; undefined when malformed. */
export function parsePrivateInbox(text: string): PrivateInboxAddress | undefined {
  const [key, seal, extra] = text.split('.');
  if (key === undefined || seal === undefined || extra !== undefined) return undefined;
  const address = { key, seal };
  return privateInboxParts(address) === undefined ? undefined : address;
}
