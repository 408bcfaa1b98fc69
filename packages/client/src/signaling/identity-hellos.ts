import { helloTranscript, type ClientId, type HelloPayload } from '@sigmesh/protocol';
import type { Identity } from '../identity/identity.js';
import { signedHello, type HelloSigner } from './client-identity.js';
import { encode } from './encode.js';

/**
 * Hellos signed by a lasting {@link Identity} (Ed25519) instead of a key made for the join: the
 * room knows the client by the identity's id, and peers see its public key and fingerprint.
 */
export class IdentityHellos implements HelloSigner {
  readonly #identity: Identity;

  constructor(identity: Identity) {
    this.#identity = identity;
  }

  get id(): ClientId {
    return this.#identity.id;
  }

  async hello(
    room: string,
    memberId: string,
    nodeId: string,
    reply: boolean,
  ): Promise<HelloPayload> {
    const signature = await this.#identity.sign(encode(helloTranscript(room, memberId, nodeId)));
    return signedHello(this.id, this.#identity.publicKey, nodeId, signature, reply);
  }
}
