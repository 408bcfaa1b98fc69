/**
 * Test helpers: build client requests (with long-term credentials) and record what the core
 * does, without sockets.
 */
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import type { AttributeCodec } from '../../src/turn/attributes/attribute-codec.js';
import { errorCode } from '../../src/turn/attributes/error-code.js';
import { nonce as nonceAttribute } from '../../src/turn/attributes/nonce.js';
import { realm as realmAttribute } from '../../src/turn/attributes/realm.js';
import { username as usernameAttribute } from '../../src/turn/attributes/username.js';
import { readAttribute } from '../../src/turn/attribute-reader.js';
import type { Allocation, ClientTuple } from '../../src/turn/allocation.js';
import type { TransportAddress } from '../../src/turn/ip-address.js';
import { encodeSignedMessage, longTermKey } from '../../src/turn/stun-integrity.js';
import {
  parseStunMessage,
  type AttributeInput,
  type StunClass,
  type StunMessage,
} from '../../src/turn/stun-message.js';
import type { RelayRequest, TurnActions } from '../../src/turn/turn-context.js';

/** Everything the core asked the world to do. */
export class RecordingActions implements TurnActions {
  readonly toClients: { tuple: ClientTuple; data: Uint8Array }[] = [];
  readonly toPeers: { allocation: Allocation; peer: TransportAddress; data: Uint8Array }[] = [];
  readonly opened: RelayRequest[] = [];
  readonly closed: Allocation[] = [];
  toClient(tuple: ClientTuple, data: Uint8Array): void {
    this.toClients.push({ tuple, data });
  }
  toPeer(allocation: Allocation, peer: TransportAddress, data: Uint8Array): void {
    this.toPeers.push({ allocation, peer, data });
  }
  openRelay(request: RelayRequest): void {
    this.opened.push(request);
  }
  closeRelay(allocation: Allocation): void {
    this.closed.push(allocation);
  }
  /** The last message sent to a client, parsed as STUN. */
  lastStun(): StunMessage {
    const last = this.toClients.at(-1);
    assert.ok(last !== undefined, 'nothing was sent to the client');
    const parsed = parseStunMessage(last.data);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    return parsed.message;
  }
}

/** A UDP client 5-tuple. */
export function udpTuple(address = '198.51.100.7', port = 40000): ClientTuple {
  return {
    key: `u0|${address}|${port}`,
    transport: 'udp',
    client: { family: 4, address, port },
    handle: 0,
  };
}

/** Long-term credentials a test client signs with. */
export interface ClientCredentials {
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
}

/** Builds a request: `attributes` then, with credentials, USERNAME, REALM, NONCE and MI. */
export function request(
  method: number,
  attributes: readonly AttributeInput[],
  credentials?: ClientCredentials,
  options: { cls?: StunClass; transactionId?: Uint8Array } = {},
): { bytes: Uint8Array; transactionId: Uint8Array } {
  const transactionId = options.transactionId ?? randomBytes(12);
  const all = [...attributes];
  let key: Uint8Array | undefined;
  if (credentials !== undefined) {
    all.push(
      {
        type: usernameAttribute.type,
        value: usernameAttribute.encode(credentials.username, transactionId),
      },
      { type: realmAttribute.type, value: realmAttribute.encode(credentials.realm, transactionId) },
      { type: nonceAttribute.type, value: nonceAttribute.encode(credentials.nonce, transactionId) },
    );
    key = longTermKey(credentials.username, credentials.realm, credentials.password);
  }
  const bytes = encodeSignedMessage(
    { method, cls: options.cls ?? 'request', transactionId, attributes: all },
    { key },
  );
  return { bytes, transactionId };
}

/** An attribute input from a codec. */
export function a<T>(
  codec: AttributeCodec<T>,
  value: T,
  transactionId: Uint8Array = new Uint8Array(12),
): AttributeInput {
  return { type: codec.type, value: codec.encode(value, transactionId) };
}

/** The ERROR-CODE number of a response, or `undefined` for a success. */
export function errorOf(message: StunMessage): number | undefined {
  const decoded = readAttribute(message, errorCode);
  return decoded?.ok === true ? decoded.value.code : undefined;
}

/** REALM and NONCE from a 401/438 challenge. */
export function challengeOf(message: StunMessage): { realm: string; nonce: string } {
  const realm = readAttribute(message, realmAttribute);
  const nonce = readAttribute(message, nonceAttribute);
  assert.ok(realm?.ok === true && nonce?.ok === true, 'challenge carries REALM and NONCE');
  return { realm: realm.value, nonce: nonce.value };
}
