import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';

/** A 20-byte tracker field (binary string). */
export function id20(): string {
  return randomBytes(20).toString('latin1');
}

/** A fake SDP of about the size of a non-trickle browser offer (the tracker never reads it). */
export const SDP = `v=0\r\n${'a=x-padding:'.padEnd(1500, 'x')}\r\n`;

/** An open WebSocket to a tracker, counting announce replies; offers it receives are ignored. */
export interface LoadPeer {
  readonly ws: WebSocket;
  readonly infoHash: string;
  readonly peerId: string;
  replies: number;
  onReply: (() => void) | undefined;
}

/** Opens `count` peers spread over `swarms` swarms, each joined with one announce (no offers). */
export async function openPeers(url: string, count: number, swarms: number): Promise<LoadPeer[]> {
  const hashes = Array.from({ length: swarms }, id20);
  const peers: LoadPeer[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const peer: LoadPeer = {
      ws,
      infoHash: hashes[i % swarms]!,
      peerId: id20(),
      replies: 0,
      onReply: undefined,
    };
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if ('interval' in message || 'failure reason' in message) {
        peer.replies++;
        peer.onReply?.();
      }
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    peers.push(peer);
  }
  await Promise.all(peers.map((peer) => announceOnce(peer, 0)));
  return peers;
}

/** Sends one announce with `offers` offers and waits for its reply. */
export function announceOnce(peer: LoadPeer, offers: number): Promise<void> {
  return new Promise((resolve) => {
    peer.onReply = () => {
      peer.onReply = undefined;
      resolve();
    };
    peer.ws.send(
      JSON.stringify({
        action: 'announce',
        info_hash: peer.infoHash,
        peer_id: peer.peerId,
        numwant: offers,
        offers: Array.from({ length: offers }, () => ({
          offer_id: id20(),
          offer: { type: 'offer', sdp: SDP },
        })),
      }),
    );
  });
}

/** Every peer announces (with `offers` offers) in a closed loop for `ms`; returns the announces done. */
export async function closedLoop(
  peers: readonly LoadPeer[],
  offers: number,
  ms: number,
): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  await Promise.all(
    peers.map(async (peer) => {
      while (performance.now() < end) {
        await announceOnce(peer, offers);
        done++;
      }
    }),
  );
  return done;
}
