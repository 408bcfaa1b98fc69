/**
 * The one load client used against every TURN server in the benchmark. For each of `flows`
 * allocations: a client UDP socket allocates, binds a channel to a plain UDP "peer" socket, and
 * then both directions are driven at once — ChannelData client → server → peer and raw datagrams
 * peer → relay → client (ChannelData). Counts what arrives. Bounded by `durationMs` and by
 * `maxPackets` per direction per flow.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { channelNumber } from '../../packages/node/src/turn/attributes/channel-number.js';
import { errorCode } from '../../packages/node/src/turn/attributes/error-code.js';
import { lifetime } from '../../packages/node/src/turn/attributes/lifetime.js';
import { nonce } from '../../packages/node/src/turn/attributes/nonce.js';
import { realm } from '../../packages/node/src/turn/attributes/realm.js';
import { requestedTransport } from '../../packages/node/src/turn/attributes/requested-transport.js';
import { username as usernameAttribute } from '../../packages/node/src/turn/attributes/username.js';
import { xorPeerAddress } from '../../packages/node/src/turn/attributes/xor-peer-address.js';
import { xorRelayedAddress } from '../../packages/node/src/turn/attributes/xor-relayed-address.js';
import { readAttribute } from '../../packages/node/src/turn/attribute-reader.js';
import { encodeChannelData } from '../../packages/node/src/turn/channel-data-frame.js';
import type { TransportAddress } from '../../packages/node/src/turn/ip-address.js';
import { mintTurnCredentials } from '../../packages/node/src/turn/rest-credentials.js';
import { encodeSignedMessage, longTermKey } from '../../packages/node/src/turn/stun-integrity.js';
import {
  parseStunMessage,
  StunMethod,
  type AttributeInput,
  type StunMessage,
} from '../../packages/node/src/turn/stun-message.js';

/** Load parameters. */
export interface LoadOptions {
  readonly port: number;
  readonly secret: string;
  readonly flows: number;
  readonly payloadBytes: number;
  readonly durationMs: number;
  readonly maxPackets: number;
  /** Datagrams in flight per direction per flow (the closed-loop window). */
  readonly batch: number;
}

/** What one run measured. */
export interface LoadResult {
  readonly sent: number;
  readonly received: number;
  readonly seconds: number;
  readonly packetsPerSecond: number;
  readonly mbitPerSecond: number;
  readonly loss: number;
}

async function transact(socket: Socket, port: number, bytes: Uint8Array): Promise<StunMessage> {
  const id = Buffer.from(bytes.subarray(8, 20));
  for (let attempt = 0; attempt < 5; attempt++) {
    socket.send(bytes, port, '127.0.0.1');
    const deadline = performance.now() + 500;
    // Skip late answers to earlier transactions (a retransmitted request is answered twice).
    while (performance.now() < deadline) {
      try {
        const [reply] = (await once(socket, 'message', {
          signal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now()))),
        })) as [Buffer];
        const parsed = parseStunMessage(reply);
        if (parsed.ok && id.equals(parsed.message.transactionId)) return parsed.message;
      } catch {
        break;
      }
    }
  }
  throw new Error('TURN server did not answer');
}

interface Flow {
  /** Deletes the allocation (Refresh with LIFETIME 0) so a reused client port starts clean. */
  release(): Promise<void>;
  client: Socket;
  peer: Socket;
  peerPort: number;
  relayed: TransportAddress;
  channel: number;
}

async function openFlow(options: LoadOptions, index: number): Promise<Flow> {
  const client = createSocket('udp4');
  const peer = createSocket('udp4');
  await Promise.all([
    new Promise<void>((r) => client.bind(0, '127.0.0.1', r)),
    new Promise<void>((r) => peer.bind(0, '127.0.0.1', r)),
  ]);
  const first = encodeSignedMessage({
    method: StunMethod.allocate,
    cls: 'request',
    transactionId: randomBytes(12),
    attributes: [
      { type: requestedTransport.type, value: requestedTransport.encode(17, new Uint8Array(12)) },
    ],
  });
  const challenge = await transact(client, options.port, first);
  const realmValue = readAttribute(challenge, realm);
  const nonceValue = readAttribute(challenge, nonce);
  if (realmValue?.ok !== true || nonceValue?.ok !== true) {
    throw new Error(`no 401 challenge: ${JSON.stringify(readAttribute(challenge, errorCode))}`);
  }
  const creds = mintTurnCredentials({
    secret: options.secret,
    id: `bench${index}`,
    ttlSeconds: 3600,
    nowMs: Date.now(),
  });
  const key = longTermKey(creds.username, realmValue.value, creds.credential);
  const signed = (method: number, attributes: (id: Uint8Array) => AttributeInput[]): Uint8Array => {
    const id = randomBytes(12);
    return encodeSignedMessage(
      {
        method,
        cls: 'request',
        transactionId: id,
        attributes: [
          ...attributes(id),
          { type: usernameAttribute.type, value: usernameAttribute.encode(creds.username, id) },
          { type: realm.type, value: realm.encode(realmValue.value, id) },
          { type: nonce.type, value: nonce.encode(nonceValue.value, id) },
        ],
      },
      { key },
    );
  };
  const allocated = await transact(
    client,
    options.port,
    signed(StunMethod.allocate, (id) => [
      { type: requestedTransport.type, value: requestedTransport.encode(17, id) },
    ]),
  );
  const relayed = readAttribute(allocated, xorRelayedAddress);
  if (relayed?.ok !== true)
    throw new Error(`Allocate failed: ${JSON.stringify(readAttribute(allocated, errorCode))}`);
  const peerAddress: TransportAddress = {
    family: 4,
    address: '127.0.0.1',
    port: peer.address().port,
  };
  const channel = 0x4000 + index;
  const bound = await transact(
    client,
    options.port,
    signed(StunMethod.channelBind, (id) => [
      { type: channelNumber.type, value: channelNumber.encode(channel, id) },
      { type: xorPeerAddress.type, value: xorPeerAddress.encode(peerAddress, id) },
    ]),
  );
  if (bound.cls !== 'success')
    throw new Error(`ChannelBind failed: ${JSON.stringify(readAttribute(bound, errorCode))}`);
  const release = async (): Promise<void> => {
    await transact(
      client,
      options.port,
      signed(StunMethod.refresh, (id) => [{ type: lifetime.type, value: lifetime.encode(0, id) }]),
    ).catch(() => undefined);
  };
  return { release, client, peer, peerPort: peerAddress.port, relayed: relayed.value, channel };
}

/**
 * Runs one measured round against the TURN server on `options.port`. Closed loop: each direction
 * of each flow keeps at most `window` datagrams in flight and sends one more per arrival, so the
 * rate settles at what the server sustains instead of measuring how fast the kernel drops an
 * open-loop flood. A direction that makes no progress for 20 ms counts its in-flight datagrams as
 * lost and refills its window.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const flows: Flow[] = [];
  for (let i = 0; i < options.flows; i++) flows.push(await openFlow(options, i));
  const payload = randomBytes(options.payloadBytes);
  let sent = 0;
  let received = 0;
  let receivedBytes = 0;
  let running = true;
  const limit = options.maxPackets;
  interface Direction {
    sent: number;
    credited: number;
    lastProgress: number;
    send(): void;
  }
  const directions: Direction[] = [];
  const fill = (direction: Direction): void => {
    while (
      running &&
      direction.sent - direction.credited < options.batch &&
      direction.sent < limit
    ) {
      direction.send();
      direction.sent++;
      sent++;
    }
  };
  for (const flow of flows) {
    const frame = encodeChannelData(flow.channel, payload, false);
    const up: Direction = {
      sent: 0,
      credited: 0,
      lastProgress: performance.now(),
      send: () => flow.client.send(frame, options.port, '127.0.0.1'),
    };
    const down: Direction = {
      sent: 0,
      credited: 0,
      lastProgress: performance.now(),
      send: () => flow.peer.send(payload, flow.relayed.port, flow.relayed.address),
    };
    directions.push(up, down);
    flow.peer.on('message', (message: Buffer) => {
      if (!running) return;
      received++;
      receivedBytes += message.length;
      up.credited++;
      up.lastProgress = performance.now();
      fill(up);
    });
    flow.client.on('message', (message: Buffer) => {
      if (!running || message.length < 4 || (message[0] ?? 0) < 0x40) return;
      received++;
      receivedBytes += message.length - 4;
      down.credited++;
      down.lastProgress = performance.now();
      fill(down);
    });
  }
  const start = performance.now();
  for (const direction of directions) fill(direction);
  await new Promise<void>((resolve) => {
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (now - start >= options.durationMs || directions.every((d) => d.sent >= limit)) {
        clearInterval(watchdog);
        resolve();
        return;
      }
      for (const direction of directions) {
        if (now - direction.lastProgress > 20) {
          direction.credited = direction.sent;
          direction.lastProgress = now;
          fill(direction);
        }
      }
    }, 5);
  });
  running = false;
  const seconds = (performance.now() - start) / 1000;
  for (const flow of flows) {
    flow.client.removeAllListeners('message');
    await flow.release();
    flow.client.close();
    flow.peer.close();
  }
  return {
    sent,
    received,
    seconds,
    packetsPerSecond: received / seconds,
    mbitPerSecond: (receivedBytes * 8) / seconds / 1e6,
    loss: sent === 0 ? 0 : 1 - received / sent,
  };
}
