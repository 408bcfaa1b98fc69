import {
  fromBase64url,
  inboxMessageTranscript,
  toBase64url,
  type InboxMessage,
  type UnsignedInboxMessage,
} from '@sigmesh/protocol';
import { verifySignature } from '../identity/verify-signature.js';
import { encode } from '../signaling/encode.js';

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
  const signature = fromBase64url(sig);
  if (signature === undefined) return false;
  return verifySignature(message.from, encode(inboxMessageTranscript(unsigned, to)), signature);
}

/** True for a raw 32-byte ed25519 public key in base64url. */
export function isPeerKey(value: unknown): boolean {
  return typeof value === 'string' && value.length === 43 && fromBase64url(value)?.length === 32;
}
