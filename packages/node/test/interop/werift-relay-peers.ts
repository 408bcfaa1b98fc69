/**
 * Child process for turn-werift.test.ts: connects two werift peers over TURN relays only and
 * echoes one message over a data channel, then prints the result as JSON and exits. werift 0.24
 * leaves its TURN refresh sleep (5/6 of the allocation lifetime) pending after close(), so the
 * peers live in their own process that exits when done.
 *   node --conditions=source --import tsx werift-relay-peers.ts '<iceServers JSON>'
 */
import { RTCPeerConnection, type RTCDataChannel, type RTCIceServer } from 'werift';

/** Connects two werift peers over TURN relays only and echoes one message over a data channel. */
async function relayedDataChannel(
  iceServers: RTCIceServer[],
): Promise<{ echoed: string; relayTypes: string[] }> {
  const config = {
    iceServers,
    iceTransportPolicy: 'relay' as const,
    iceAdditionalHostAddresses: ['127.0.0.1'],
  };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const types: string[] = [];
  try {
    a.onIceCandidate.subscribe((candidate) => {
      if (candidate !== undefined) {
        types.push(/ typ (\w+)/.exec(candidate.candidate)?.[1] ?? '');
        void b.addIceCandidate(candidate);
      }
    });
    b.onIceCandidate.subscribe((candidate) => {
      if (candidate !== undefined) {
        types.push(/ typ (\w+)/.exec(candidate.candidate)?.[1] ?? '');
        void a.addIceCandidate(candidate);
      }
    });
    const received = new Promise<string>((resolve) => {
      b.onDataChannel.subscribe((channel: RTCDataChannel) => {
        channel.onMessage.subscribe((message) => {
          channel.send(`echo:${message.toString()}`);
        });
      });
      const channel = a.createDataChannel('sigmesh');
      channel.stateChanged.subscribe((state) => {
        if (state === 'open') channel.send('hello through TURN');
      });
      channel.onMessage.subscribe((message) => resolve(message.toString()));
    });
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription!);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription!);
    const echoed = await Promise.race([
      received,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error('data channel did not open through TURN within 15 s')),
          15_000,
        ).unref(),
      ),
    ]);
    return { echoed, relayTypes: types };
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}

const iceServers = JSON.parse(process.argv[2] ?? '[]') as RTCIceServer[];
try {
  process.stdout.write(`${JSON.stringify(await relayedDataChannel(iceServers))}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
}
