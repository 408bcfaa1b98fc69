import {
  fromBase64url,
  inboxMessageTranscript,
  toBase64url,
  type InboxMessage,
  type UnsignedInboxMessage,
} from '@sigmesh/protocol';
import { asBufferSource, encode } from '../signaling/encode.js';

/** What signs as a person: a lasting ed25519 key (an app's `Identity` fits). */
export interface InboxSigner {
  /** Raw ed25519 public key, base64url (43 characters). */
  readonly publicKey: string;
  /** An ed25519 signature (64 bytes) over `bytes`. */
  sign(bytes: Uint8Array): Promise<Uint8Array>;
}

/** `message`, from `signer`, signed for the person whose key is `to`. */
export async function signInboxMessage<M extends UnsignedInboxMessage>(
  signer: InboxSigner,
  message: M,
  to: string,
): Promise<M & { readonly sig: string }> {
  const signature = await signer.sign(encode(inboxMessageTranscript(message, to)));
  return { ...message, sig: toBase64url(signature) };
}

/** True when `message` was signed by the key it names in `from`, for the person `to`. */
export async function verifyInboxMessage(message: InboxMessage, to: string): Promise<boolean> {
  const { sig, ...unsigned } = message;
  return verifyEd25519(message.from, encode(inboxMessageTranscript(unsigned, to)), sig);
}

/** True when `signature` (base64url) is `publicKey`'s over `bytes`; false for malformed keys. */
export async function verifyEd25519(
  publicKey: string,
  bytes: Uint8Array,
  signature: string,
): Promise<boolean> {
  const raw = fromBase64url(publicKey);
  const sig = fromBase64url(signature);
  if (raw?.length !== 32 || sig?.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', asBufferSource(raw), 'Ed25519', false, [
      'verify',
    ]);
    return await crypto.subtle.verify('Ed25519', key, asBufferSource(sig), asBufferSource(bytes));
  } catch {
    return false; // Not a point on the curve.
  }
}

/** True for a raw 32-byte ed25519 public key in base64url. */
export function isPeerKey(value: unknown): value is string {
  return typeof value === 'string' && value.length === 43 && fromBase64url(value)?.length === 32;
}
