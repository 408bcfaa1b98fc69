import { createSocket, type Socket } from 'node:dgram';

/** The KRPC query methods counted by name (BEP 5, BEP 44); anything else counts as `other`. */
export const KRPC_METHODS = [
  'ping',
  'find_node',
  'get_peers',
  'announce_peer',
  'get',
  'put',
  'other',
] as const;
export type KrpcMethod = (typeof KRPC_METHODS)[number];

/** KRPC datagrams (queries, answers, errors) one node's DHT socket has sent and received. */
export interface DhtTraffic {
  sent: number;
  received: number;
  /** The queries among them, by method. */
  readonly queriesSent: Record<KrpcMethod, number>;
  readonly queriesReceived: Record<KrpcMethod, number>;
}

/** Empty counters. */
export function createDhtTraffic(): DhtTraffic {
  const zero = (): Record<KrpcMethod, number> =>
    Object.fromEntries(KRPC_METHODS.map((method) => [method, 0])) as Record<KrpcMethod, number>;
  return { sent: 0, received: 0, queriesSent: zero(), queriesReceived: zero() };
}

/**
 * How a bencoded KRPC query ends: its keys are sorted (a, q, ro, t, v, y), so `y` is the last and
 * `1:y1:q` closes the dict.
 */
const QUERY_END = Buffer.from('1:y1:qe');
/** `1:q`: the key of the method name. Keys after it (t, y) hold short values. */
const METHOD_KEY = Buffer.from('1:q');
/** The longest method name looked up (`announce_peer`). */
const MAX_METHOD_LENGTH = 13;

/**
 * The method of a bencoded KRPC query, or undefined for an answer, an error or a datagram that
 * is not KRPC. Reads the bytes without decoding them: the method is the value of the last `1:q`
 * key (the argument dict `a` comes first and may hold any bytes; the keys after `q` hold short
 * values). A crafted datagram can only be counted under the wrong method, nothing else.
 */
export function krpcQueryMethod(datagram: Uint8Array): KrpcMethod | undefined {
  const bytes = Buffer.isBuffer(datagram)
    ? datagram
    : Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (
    bytes.length < QUERY_END.length ||
    bytes.compare(QUERY_END, 0, QUERY_END.length, bytes.length - QUERY_END.length) !== 0
  )
    return undefined;
  // Before the closing `1:y1:qe`, whose value `1:q` would match too.
  const key = bytes.lastIndexOf(METHOD_KEY, bytes.length - QUERY_END.length - 1);
  if (key < 0) return 'other';
  let at = key + METHOD_KEY.length;
  let length = 0;
  while (at < bytes.length && bytes[at]! >= 0x30 && bytes[at]! <= 0x39 && length < 100)
    length = length * 10 + bytes[at++]! - 0x30;
  if (bytes[at] !== 0x3a || length === 0 || length > MAX_METHOD_LENGTH) return 'other';
  const name = bytes.toString('latin1', at + 1, at + 1 + length);
  return (KRPC_METHODS as readonly string[]).includes(name) ? (name as KrpcMethod) : 'other';
}

/**
 * A UDP socket for bittorrent-dht (handed down to k-rpc-socket as `socket`) that counts every
 * datagram through it into `traffic`, and the queries by method: the DHT's upkeep, announces and
 * lookups as one node pays them, for the metrics and the scale bench (docs/scaling.md). One
 * datagram is one KRPC message.
 */
export function countingDhtSocket(traffic: DhtTraffic): Socket {
  const socket = createSocket('udp4');
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]) => {
    traffic.sent++;
    const message = args[0];
    if (message instanceof Uint8Array) {
      const method = krpcQueryMethod(message);
      if (method !== undefined) traffic.queriesSent[method]++;
    }
    send(...args);
  }) as Socket['send'];
  socket.on('message', (message: Buffer) => {
    traffic.received++;
    const method = krpcQueryMethod(message);
    if (method !== undefined) traffic.queriesReceived[method]++;
  });
  return socket;
}
