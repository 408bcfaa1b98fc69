import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { errorCode } from '../../turn/attributes/error-code.js';
import { lifetime } from '../../turn/attributes/lifetime.js';
import { nonce as nonceAttribute } from '../../turn/attributes/nonce.js';
import { realm as realmAttribute } from '../../turn/attributes/realm.js';
import { requestedTransport, PROTOCOL_UDP } from '../../turn/attributes/requested-transport.js';
import { username as usernameAttribute } from '../../turn/attributes/username.js';
import { xorMappedAddress } from '../../turn/attributes/xor-mapped-address.js';
import { xorRelayedAddress } from '../../turn/attributes/xor-relayed-address.js';
import { readAttribute } from '../../turn/attribute-reader.js';
import type { TransportAddress } from '../../turn/ip-address.js';
import {
  encodeSignedMessage,
  longTermKey,
  verifyMessageIntegrity,
} from '../../turn/stun-integrity.js';
import {
  parseStunMessage,
  StunMethod,
  type AttributeInput,
  type StunMessage,
} from '../../turn/stun-message.js';

/** What a TURN server at `host:port` did with an Allocate over UDP (RFC 8656 §7). */
export type AllocateOutcome =
  | { readonly ok: true; readonly relayed: TransportAddress; readonly mapped?: TransportAddress }
  | { readonly ok: false; readonly problem: string };

/**
 * Allocates a UDP relay the way a browser does — unauthenticated Allocate, 401 with REALM and
 * NONCE, Allocate with the REST credentials and MESSAGE-INTEGRITY — then releases it (Refresh
 * with LIFETIME 0). Each request is sent up to three times (UDP may drop one).
 */
export async function probeTurnAllocate(options: {
  host: string;
  port: number;
  username: string;
  credential: string;
  timeoutMs: number;
}): Promise<AllocateOutcome> {
  const socket = createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  const waiting = new Map<string, (message: StunMessage) => void>();
  socket.on('message', (bytes: Buffer) => {
    const parsed = parseStunMessage(bytes);
    if (!parsed.ok) return;
    const id = Buffer.from(parsed.message.transactionId).toString('hex');
    waiting.get(id)?.(parsed.message);
  });
  socket.on('error', () => undefined);
  const ask = async (
    method: number,
    attributes: AttributeInput[],
    auth?: { realm: string; nonce: string; key: Uint8Array },
  ): Promise<StunMessage | undefined> => {
    const transactionId = randomBytes(12);
    const all = [...attributes];
    if (auth !== undefined)
      all.push(
        {
          type: usernameAttribute.type,
          value: usernameAttribute.encode(options.username, transactionId),
        },
        { type: realmAttribute.type, value: realmAttribute.encode(auth.realm, transactionId) },
        { type: nonceAttribute.type, value: nonceAttribute.encode(auth.nonce, transactionId) },
      );
    const bytes = encodeSignedMessage(
      { method, cls: 'request', transactionId, attributes: all },
      { key: auth?.key },
    );
    const id = transactionId.toString('hex');
    const answer = new Promise<StunMessage>((resolve) => waiting.set(id, resolve));
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        socket.send(bytes, options.port, options.host);
        const timeout = new Promise<undefined>((resolve) =>
          setTimeout(() => resolve(undefined), options.timeoutMs / 3).unref(),
        );
        const message = await Promise.race([answer, timeout]);
        if (message !== undefined) return message;
      }
      return undefined;
    } finally {
      waiting.delete(id);
    }
  };
  const udp: AttributeInput = {
    type: requestedTransport.type,
    value: requestedTransport.encode(PROTOCOL_UDP, new Uint8Array(12)),
  };
  try {
    const challenge = await ask(StunMethod.allocate, [udp]);
    if (challenge === undefined)
      return { ok: false, problem: `no answer over UDP from ${options.host}:${options.port}` };
    const realm = readAttribute(challenge, realmAttribute);
    const nonce = readAttribute(challenge, nonceAttribute);
    if (codeOf(challenge) !== 401 || realm?.ok !== true || nonce?.ok !== true)
      return {
        ok: false,
        problem: `the first Allocate got no 401 with REALM and NONCE (code ${codeOf(challenge) ?? 'none'})`,
      };
    const key = longTermKey(options.username, realm.value, options.credential);
    const auth = { realm: realm.value, nonce: nonce.value, key };
    const answer = await ask(StunMethod.allocate, [udp], auth);
    if (answer === undefined)
      return { ok: false, problem: 'no answer to the authenticated Allocate' };
    const code = codeOf(answer);
    if (code !== undefined)
      return { ok: false, problem: `Allocate refused with STUN error ${code}` };
    if (!verifyMessageIntegrity(answer, key))
      return {
        ok: false,
        problem: 'the Allocate success has no valid MESSAGE-INTEGRITY (browsers drop it)',
      };
    const relayed = readAttribute(answer, xorRelayedAddress);
    if (relayed?.ok !== true)
      return { ok: false, problem: 'the Allocate success has no XOR-RELAYED-ADDRESS' };
    const mapped = readAttribute(answer, xorMappedAddress);
    // Release the relay at once: the doctor should not hold a port for its lifetime.
    await ask(
      StunMethod.refresh,
      [{ type: lifetime.type, value: lifetime.encode(0, new Uint8Array(12)) }],
      auth,
    ).catch(() => undefined);
    return mapped?.ok === true
      ? { ok: true, relayed: relayed.value, mapped: mapped.value }
      : { ok: true, relayed: relayed.value };
  } finally {
    socket.close();
  }
}

function codeOf(message: StunMessage): number | undefined {
  const decoded = readAttribute(message, errorCode);
  return decoded?.ok === true ? decoded.value.code : undefined;
}
