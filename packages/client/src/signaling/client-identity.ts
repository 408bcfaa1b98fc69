import {
  fromBase64url,
  helloKeyAlgorithm,
  helloTranscript,
  toBase64url,
  type ClientId,
  type HelloPayload,
} from '@sigmesh/protocol';
import { clientIdOf } from '../identity/client-id.js';
import { verifySignature } from '../identity/verify-signature.js';
import { asBufferSource, encode } from './encode.js';

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** Who this client is in a room: its id, and the hellos that prove it. */
export interface HelloSigner {
  readonly id: ClientId;
  /** A hello proving that member `memberId` on node `nodeId` is this client. */
  hello(room: string, memberId: string, nodeId: string, reply: boolean): Promise<HelloPayload>;
}

/**
 * This client's identity in a room when the app gives none: a P-256 key pair made for the room
 * session. Its id is hex(SHA-256(raw public key))[0:32], the same on every node, and every hello
 * it posts is signed, so no member or node can claim to be it.
 */
export class ClientIdentity implements HelloSigner {
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
    return signedHello(this.id, this.publicKey, nodeId, new Uint8Array(signature), reply);
  }
}

/** The hello payload of a signature made over {@link helloTranscript}. */
export function signedHello(
  id: ClientId,
  key: string,
  nodeId: string,
  signature: Uint8Array,
  reply: boolean,
): HelloPayload {
  return { v: 1, kind: 'hello', id, key, node: nodeId, sig: toBase64url(signature), reply };
}

/**
 * True when `hello`, posted by member `from`, was signed by the key its id names: ECDSA P-256 for
 * a 65-byte key (made per join), Ed25519 for a 32-byte one (a lasting identity).
 */
export async function verifyHello(
  room: string,
  from: string,
  hello: HelloPayload,
): Promise<boolean> {
  const algorithm = helloKeyAlgorithm(hello.key);
  const raw = fromBase64url(hello.key);
  const signature = fromBase64url(hello.sig);
  if (algorithm === undefined || raw === undefined || signature === undefined) return false;
  if ((await clientIdOf(raw)) !== hello.id) return false;
  const transcript = encode(helloTranscript(room, from, hello.node));
  if (algorithm === 'Ed25519') return verifySignature(hello.key, transcript, signature);
  try {
    const key = await crypto.subtle.importKey('raw', asBufferSource(raw), ECDSA, false, ['verify']);
    return await crypto.subtle.verify(SIGN, key, asBufferSource(signature), transcript);
  } catch {
    return false; // Not a point on the curve.
  }
}
