import {
  fromBase64url,
  helloTranscript,
  toBase64url,
  toHex,
  type ClientId,
  type HelloPayload,
} from '@sigmesh/protocol';
import { asBufferSource, encode } from './encode.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * This client's identity in a room: a P-256 key pair made for the room session. Its id is
 * hex(SHA-256(raw public key))[0:32], the same on every node, and every hello it posts is signed,
 * so no member or node can claim to be it.
 */
export class ClientIdentity {
  private constructor(
    readonly id: ClientId,
    readonly publicKey: string,
    readonly privateKey: CryptoKey,
  ) {}

  static async create(): Promise<ClientIdentity> {
    const pair = await crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);
    const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    return new ClientIdentity(await clientIdOf(raw), toBase64url(raw), pair.privateKey);
  }

  /** A hello proving that member `memberId` on node `nodeId` is this client. */
  async hello(
    room: string,
    memberId: string,
    nodeId: string,
    reply: boolean,
  ): Promise<HelloPayload> {
    const signature = await crypto.subtle.sign(
      SIGN,
      this.privateKey,
      encode(helloTranscript(room, memberId, nodeId)),
    );
    return {
      v: 1,
      kind: 'hello',
      id: this.id,
      key: this.publicKey,
      node: nodeId,
      sig: toBase64url(new Uint8Array(signature)),
      reply,
    };
  }
}

/** True when `hello`, posted by member `from`, was signed by the key its id names. */
export async function verifyHello(
  room: string,
  from: string,
  hello: HelloPayload,
): Promise<boolean> {
  const raw = fromBase64url(hello.key);
  const signature = fromBase64url(hello.sig);
  if (raw === undefined || signature === undefined) return false;
  if ((await clientIdOf(raw)) !== hello.id) return false;
  try {
    const key = await crypto.subtle.importKey('raw', asBufferSource(raw), ECDSA, false, ['verify']);
    return await crypto.subtle.verify(
      SIGN,
      key,
      asBufferSource(signature),
      encode(helloTranscript(room, from, hello.node)),
    );
  } catch {
    return false; // Not a point on the curve.
  }
}

async function clientIdOf(rawPublicKey: Uint8Array): Promise<ClientId> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', asBufferSource(rawPublicKey)),
  );
  return toHex(digest.subarray(0, 16)) as ClientId;
}
