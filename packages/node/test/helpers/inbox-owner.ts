import { generateKeyPairSync } from 'node:crypto';
import {
  formatInboxOwnerProof,
  inboxOwnerTranscript,
  inboxRoomHash,
  toBase64url,
  utf8,
  type RoomHash,
} from '@sigmesh/protocol';
import type { TestMember } from './room-client.js';
import { createSigner, type Ed25519Signer } from '../../src/discovery/ed25519-keys.js';

/** A fresh ed25519 identity. */
export function newKey(): Ed25519Signer {
  return createSigner(generateKeyPairSync('ed25519'));
}

/** The inbox of a key. */
export function inboxOf(key: Ed25519Signer): RoomHash {
  return inboxRoomHash(key.publicKeyRaw);
}

/** The `&owner=` a key's owner adds to a join of its inbox at node `nodeId` with `token`. */
export function ownerQuery(
  signer: Ed25519Signer,
  room: RoomHash,
  options: { claimedKey?: Ed25519Signer; nodeId?: string; token?: string; at?: number } = {},
): (token: string, nodeId: string) => string {
  return (token, nodeId) => {
    const signedAt = options.at ?? Date.now();
    const transcript = inboxOwnerTranscript(
      room,
      options.nodeId ?? nodeId,
      signedAt,
      options.token ?? token,
    );
    const proof = formatInboxOwnerProof({
      key: toBase64url((options.claimedKey ?? signer).publicKeyRaw),
      signedAt,
      sig: toBase64url(signer.sign(utf8(transcript))),
    });
    return `&owner=${encodeURIComponent(proof)}`;
  };
}

/**
 * A guest, told of nobody, rings (broadcasts `data`) every half second until the owner hears it
 * (the nodes may still be finding each other through the room), for at most `ms`.
 */
export async function ringUntilHeard(
  guest: TestMember,
  owner: TestMember,
  data: unknown,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await guest.post(data);
    try {
      await owner.next('message', 500);
      return;
    } catch {
      // Not linked yet: ring again.
    }
  }
  throw new Error('the ring never reached the owner');
}
