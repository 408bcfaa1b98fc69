import { createSocket, type Socket } from 'node:dgram';

/** KRPC datagrams (queries, answers, errors) one node's DHT socket has sent and received. */
export interface DhtTraffic {
  sent: number;
  received: number;
}

/**
 * A UDP socket for bittorrent-dht (handed down to k-rpc-socket as `socket`) that counts every
 * datagram through it into `traffic`: the DHT's upkeep, announces and lookups as one node pays
 * them, for the metrics and the scale bench (docs/scaling.md). One datagram is one KRPC message.
 */
export function countingDhtSocket(traffic: DhtTraffic): Socket {
  const socket = createSocket('udp4');
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]) => {
    traffic.sent++;
    send(...args);
  }) as Socket['send'];
  socket.on('message', () => traffic.received++);
  return socket;
}
