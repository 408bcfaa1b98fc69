/**
 * The TURN port end to end without sockets: sequences of datagrams and TCP segments from one
 * client through the same demultiplexing as `udp-transport.ts` and `tcp-transport.ts` into
 * `TurnCore` — a real session (challenge, authenticated Allocate, permissions, channels, data in
 * both directions) with requests mutated before signing (odd attributes, valid integrity) or
 * after (raw byte damage), huge attribute counts, noise and the clock moving.
 */
import assert from 'node:assert/strict';
import { applyByteMutation, type ByteMutation } from '../lib/byte-mutations.js';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { channelNumber } from '../../packages/node/src/turn/attributes/channel-number.js';
import { data as dataAttribute } from '../../packages/node/src/turn/attributes/data.js';
import { errorCode } from '../../packages/node/src/turn/attributes/error-code.js';
import { lifetime } from '../../packages/node/src/turn/attributes/lifetime.js';
import { nonce as nonceAttribute } from '../../packages/node/src/turn/attributes/nonce.js';
import { realm as realmAttribute } from '../../packages/node/src/turn/attributes/realm.js';
import { requestedTransport } from '../../packages/node/src/turn/attributes/requested-transport.js';
import { username as usernameAttribute } from '../../packages/node/src/turn/attributes/username.js';
import { xorPeerAddress } from '../../packages/node/src/turn/attributes/xor-peer-address.js';
import { readAttribute } from '../../packages/node/src/turn/attribute-reader.js';
import type { Allocation, ClientTuple } from '../../packages/node/src/turn/allocation.js';
import {
  encodeChannelData,
  looksLikeChannelData,
  parseChannelData,
} from '../../packages/node/src/turn/channel-data-frame.js';
import type { TransportAddress } from '../../packages/node/src/turn/ip-address.js';
import { mintTurnCredentials } from '../../packages/node/src/turn/rest-credentials.js';
import { StreamFramer } from '../../packages/node/src/turn/stream-framer.js';
import { encodeSignedMessage, longTermKey } from '../../packages/node/src/turn/stun-integrity.js';
import {
  ATTR_MESSAGE_INTEGRITY,
  encodeStunMessage,
  findAttribute,
  parseStunMessage,
  StunMethod,
  type AttributeInput,
  type StunClass,
} from '../../packages/node/src/turn/stun-message.js';
import type { RelayRequest, TurnActions } from '../../packages/node/src/turn/turn-context.js';
import { TurnCore } from '../../packages/node/src/turn/turn-core.js';
import { resolveTurnOptions } from '../../packages/node/src/turn/turn-options.js';
import { session, type Step } from './turn-core-steps.js';

const SECRET = 'fuzz-secret';
const RELAYED: TransportAddress = { family: 4, address: '192.0.2.200', port: 50_000 };

export const turnCoreTarget = fuzzTarget({
  name: 'turn-core',
  covers: [
    'TurnCore.handleStun, handleChannelData, handlePeerData, relayOpened, sweep (packages/node/src/turn/turn-core.ts)',
    'every method handler in packages/node/src/turn/methods/, authenticate.ts, peer-policy.ts',
    'the UDP and TCP demultiplexing of udp-transport.ts and tcp-transport.ts (StreamFramer)',
  ],
  inputs: session,
  // Nine steps, one of them possibly a 64 KB datagram of 16,000 attributes (~30 ms).
  maxMsPerInput: 100,
  check(steps: readonly Step[]) {
    new Session().run(steps);
  },
});

/** Records what the core asks of the world, like the transports do. */
class Sink implements TurnActions {
  readonly toClients: { tuple: ClientTuple; data: Uint8Array }[] = [];
  readonly toPeers: { allocation: Allocation; peer: TransportAddress; data: Uint8Array }[] = [];
  readonly opened: RelayRequest[] = [];
  toClient(tuple: ClientTuple, data: Uint8Array): void {
    this.toClients.push({ tuple, data });
  }
  toPeer(allocation: Allocation, peer: TransportAddress, data: Uint8Array): void {
    this.toPeers.push({ allocation, peer, data });
  }
  openRelay(request: RelayRequest): void {
    this.opened.push(request);
  }
  closeRelay(): void {}
}

/** One client's session against a fresh core, with the oracle checked after every step. */
class Session {
  #clock = 1_800_000_000_000;
  readonly #sink = new Sink();
  readonly #core = new TurnCore(
    resolveTurnOptions({ secrets: [SECRET], now: () => this.#clock }),
    this.#sink,
  );
  readonly #udp: ClientTuple = {
    key: 'u0|198.51.100.7|40000',
    transport: 'udp',
    client: { family: 4, address: '198.51.100.7', port: 40000 },
    handle: 0,
  };
  #tcp: ClientTuple = this.#tcpTuple(1);
  #framer = new StreamFramer();
  #realm: string | undefined;
  #nonce: string | undefined;
  /** Transaction ids of every STUN message delivered to the core: responses must answer one. */
  readonly #sent = new Set<string>();
  #seenClient = 0;
  #seenPeer = 0;
  #seenOpened = 0;

  run(steps: readonly Step[]): void {
    const first: Step = {
      action: { kind: 'allocate', transport: 17, lifetime: undefined },
      tcp: false,
      auth: false,
      extra: [],
      damage: [],
      transactionId: new Uint8Array(12).fill(1),
    };
    for (const s of [first, ...steps]) {
      this.#do(s);
      this.#check();
    }
  }

  #tcpTuple(handle: number): ClientTuple {
    return {
      key: `t${handle}`,
      transport: 'tcp',
      client: { family: 4, address: '198.51.100.7', port: 40000 + handle },
      handle,
    };
  }

  #do(s: Step): void {
    const { action } = s;
    switch (action.kind) {
      case 'tick':
        this.#clock += action.ms;
        this.#core.sweep();
        return;
      case 'from-peer': {
        for (const allocation of this.#core.state.allocations.values())
          this.#core.handlePeerData(allocation, action.peer, action.data);
        return;
      }
      case 'noise':
        this.#deliver(s.tcp, action.bytes);
        return;
      case 'channel-data':
        this.#deliver(
          s.tcp,
          damaged(encodeChannelData(action.channel & 0xffff, action.data, s.tcp), s.damage),
        );
        return;
      default:
        this.#deliver(s.tcp, damaged(this.#message(s), s.damage));
    }
  }

  /** The STUN message of a step, signed with the session's credentials when it has them. */
  #message(s: Step): Uint8Array {
    const { action, transactionId: id } = s;
    const attributes: AttributeInput[] = [];
    let method: number = StunMethod.binding;
    let cls: StunClass = 'request';
    switch (action.kind) {
      case 'allocate':
        method = StunMethod.allocate;
        attributes.push({
          type: requestedTransport.type,
          value: requestedTransport.encode(action.transport, id),
        });
        if (action.lifetime !== undefined)
          attributes.push({ type: lifetime.type, value: lifetime.encode(action.lifetime, id) });
        break;
      case 'refresh':
        method = StunMethod.refresh;
        attributes.push({ type: lifetime.type, value: lifetime.encode(action.lifetime, id) });
        break;
      case 'permission':
        method = StunMethod.createPermission;
        for (const peer of action.peers)
          attributes.push({ type: xorPeerAddress.type, value: xorPeerAddress.encode(peer, id) });
        break;
      case 'bind':
        method = StunMethod.channelBind;
        attributes.push(
          { type: channelNumber.type, value: channelNumber.encode(action.channel, id) },
          { type: xorPeerAddress.type, value: xorPeerAddress.encode(action.peer, id) },
        );
        break;
      case 'send':
        method = StunMethod.send;
        cls = 'indication';
        attributes.push(
          { type: xorPeerAddress.type, value: xorPeerAddress.encode(action.peer, id) },
          { type: dataAttribute.type, value: action.data.subarray(0, 65_000) },
        );
        break;
      case 'many-attributes':
        // Huge attribute counts of distinct comprehension-required types nobody knows.
        method = action.cls === 'indication' ? StunMethod.send : StunMethod.allocate;
        cls = action.cls;
        for (let i = 0; i < action.count; i++)
          attributes.push({ type: 0x0100 + i, value: new Uint8Array(0) });
        return encodeStunMessage({ method, cls, transactionId: id, attributes });
      default:
        break;
    }
    attributes.push(...s.extra);
    if (!s.auth || this.#realm === undefined || this.#nonce === undefined)
      return encodeSignedMessage({ method, cls, transactionId: id, attributes });
    const minted = mintTurnCredentials({
      secret: SECRET,
      id: 'fuzz',
      ttlSeconds: 3600,
      nowMs: this.#clock,
    });
    attributes.push(
      { type: usernameAttribute.type, value: usernameAttribute.encode(minted.username, id) },
      { type: realmAttribute.type, value: realmAttribute.encode(this.#realm, id) },
      { type: nonceAttribute.type, value: nonceAttribute.encode(this.#nonce, id) },
    );
    const key = longTermKey(minted.username, this.#realm, minted.credential);
    return encodeSignedMessage({ method, cls, transactionId: id, attributes }, { key });
  }

  /** The transports' demultiplexing (RFC 7983 §7), then the core. */
  #deliver(tcp: boolean, bytes: Uint8Array): void {
    if (!tcp) {
      if (looksLikeChannelData(bytes)) this.#core.handleChannelData(this.#udp.key, bytes);
      else if ((bytes[0] ?? 0xff) < 4) this.#stun(this.#udp, bytes);
      return;
    }
    const out = this.#framer.push(bytes);
    if (!out.ok) {
      // tcp-transport.ts destroys the connection; the client reconnects on a new 5-tuple.
      this.#core.connectionClosed(this.#tcp.key);
      this.#tcp = this.#tcpTuple(this.#tcp.handle + 1);
      this.#framer = new StreamFramer();
      return;
    }
    for (const frame of out.frames) {
      if ((frame[0] ?? 0) < 4) this.#stun(this.#tcp, frame);
      else this.#core.handleChannelData(this.#tcp.key, frame);
    }
  }

  #stun(tuple: ClientTuple, bytes: Uint8Array): void {
    if (bytes.length >= 20) this.#sent.add(hex(bytes.subarray(8, 20)));
    this.#core.handleStun(tuple, bytes);
    // The transport opens the relay socket; here it opens at once.
    for (const request of this.#sink.opened.slice(this.#seenOpened))
      this.#core.relayOpened(request.id, request.tuple.key, RELAYED);
    this.#seenOpened = this.#sink.opened.length;
  }

  /** The oracle: what the core sent since the last step, and the bounds of its state. */
  #check(): void {
    const { options, state, policy } = this.#core;
    for (const { data } of this.#sink.toClients.slice(this.#seenClient)) {
      if (looksLikeChannelData(data)) {
        assert.ok(parseChannelData(data) !== undefined, 'ChannelData to the client parses');
        continue;
      }
      const parsed = parseStunMessage(data);
      assert.ok(
        parsed.ok,
        `the core sent a message that does not parse: ${parsed.ok ? '' : parsed.reason}`,
      );
      const message = parsed.message;
      if (message.cls === 'indication') {
        assert.equal(message.method, StunMethod.data, 'only Data indications go to clients');
        continue;
      }
      assert.ok(
        message.cls === 'success' || message.cls === 'error',
        `a ${message.cls} was sent to a client`,
      );
      assert.ok(
        this.#sent.has(hex(message.transactionId)),
        'a response answers a transaction the client sent',
      );
      if (message.cls === 'success' && message.method !== StunMethod.binding)
        assert.ok(
          findAttribute(message, ATTR_MESSAGE_INTEGRITY) !== undefined,
          'successes are signed (Chromium drops others)',
        );
      if (message.cls === 'error') {
        const code = readAttribute(message, errorCode);
        assert.ok(code?.ok === true, 'an error response carries a valid ERROR-CODE');
        if (code.value.code === 401 || code.value.code === 438) {
          const realm = readAttribute(message, realmAttribute);
          const nonce = readAttribute(message, nonceAttribute);
          assert.ok(
            realm?.ok === true && nonce?.ok === true,
            'a challenge carries REALM and NONCE',
          );
          this.#realm = realm.value;
          this.#nonce = nonce.value;
        }
      }
    }
    this.#seenClient = this.#sink.toClients.length;
    for (const { allocation, peer, data } of this.#sink.toPeers.slice(this.#seenPeer)) {
      assert.equal(
        policy.check(peer.address),
        'allowed',
        `relayed to ${peer.address}, which the policy denies`,
      );
      assert.ok(peer.port > 0 && peer.port <= 65535, `relayed to port ${peer.port}`);
      assert.ok(allocation.permits(peer.address, this.#clock), 'relayed without a permission');
      assert.ok(data.length <= 65_535);
    }
    this.#seenPeer = this.#sink.toPeers.length;
    assert.ok(state.allocations.size + state.pending.size <= options.maxAllocations);
    for (const allocation of state.allocations.values()) {
      assert.ok(allocation.permissions.size <= options.maxPermissionsPerAllocation);
      assert.ok(allocation.channelsByNumber.size <= options.maxChannelsPerAllocation);
      assert.equal(allocation.channelsByNumber.size, allocation.channelsByPeer.size);
    }
  }
}

function damaged(bytes: Uint8Array, damage: readonly ByteMutation[]): Uint8Array {
  return damage.reduce(applyByteMutation, bytes);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
