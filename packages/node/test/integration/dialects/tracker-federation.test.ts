// How a swarm spans nodes, with raw clients: one client announcing the same offers to two nodes
// (Trystero re-sends its offer pool to every tracker it uses) is placed once and counted once;
// an answer reaches the offerer's node only for an offer that node sent to the answerer.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, trackerIdToHex, type TrackerId } from '@sigmesh/protocol';
import type { SigmeshNode } from '../../../src/index.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';
import { id20, isReply, TrackerSocket } from './tracker-socket.js';

async function linked(t: TestContext): Promise<[SigmeshNode, SigmeshNode, SigmeshNode]> {
  const net = await startTestnet(t, { nodes: 3 });
  const [a, b, c] = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  await a.connect(b.url());
  await a.connect(c.url());
  await b.connect(c.url());
  return [a, b, c];
}

const ws = (node: SigmeshNode): string => `${node.url()}/announce`;

test('the same offers announced through two nodes reach their target once; the client counts once', async (t) => {
  const [n0, n1, n2] = await linked(t);
  const ih = id20('dedupe');
  const room = deriveRoomHash('dialect:tracker', trackerIdToHex(ih as TrackerId));
  const target = await TrackerSocket.open(t, ws(n2));
  await target.request({ action: 'announce', info_hash: ih, peer_id: id20('T') }, isReply(ih), 'T');
  const x0 = await TrackerSocket.open(t, ws(n0));
  const x1 = await TrackerSocket.open(t, ws(n1));
  // X joins both nodes without offers first, so both know T when the offers come.
  for (const x of [x0, x1])
    await x.request({ action: 'announce', info_hash: ih, peer_id: id20('X') }, isReply(ih), 'X');
  await waitFor(
    () => n0.remoteMembers(room).length === 2 && n1.remoteMembers(room).length === 2,
    'both nodes to see T and X’s other copy',
  );
  const offers = [0, 1].map((i) => ({
    offer_id: id20(`X-offer-${i}`),
    offer: { type: 'offer', sdp: `sdp ${i}` },
  }));
  const withOffers = { action: 'announce', info_hash: ih, peer_id: id20('X'), offers };
  await x0.request(withOffers, isReply(ih), 'offers via n0');
  await x1.request(withOffers, isReply(ih), 'offers via n1');
  await target.next((m) => 'offer' in m, 'an offer at T');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const got = target.received.filter((m) => 'offer' in m).map((m) => m.offer_id as string);
  // T is X's only possible target (X's copies are not targets): one offer each, never twice.
  assert.equal(new Set(got).size, got.length, 'no offer delivered twice');
  assert.ok(got.length >= 1 && got.length <= 2);
  // Counted by peer_id: X on two nodes is one peer.
  await waitFor(async () => {
    const reply = await target.request(
      { action: 'scrape', info_hash: ih },
      (m) => m.action === 'scrape',
      'scrape',
    );
    const file = (reply.files as Record<string, { incomplete: number }>)[ih];
    await new Promise((resolve) => setTimeout(resolve, 200));
    return file?.incomplete === 2;
  }, 'T and X counted as two peers');
});

test('an offer crosses nodes and its answer comes back; a second answer is refused at the answerer’s node', async (t) => {
  const [n0, , n2] = await linked(t);
  const ih = id20('cross');
  const room = deriveRoomHash('dialect:tracker', trackerIdToHex(ih as TrackerId));
  const b = await TrackerSocket.open(t, ws(n2));
  await b.request({ action: 'announce', info_hash: ih, peer_id: id20('B') }, isReply(ih), 'B');
  const a = await TrackerSocket.open(t, ws(n0));
  await a.request({ action: 'announce', info_hash: ih, peer_id: id20('A') }, isReply(ih), 'A');
  await waitFor(() => n0.remoteMembers(room).length === 1, 'n0 to see B');
  const started = performance.now();
  await a.request(
    {
      action: 'announce',
      info_hash: ih,
      peer_id: id20('A'),
      offers: [{ offer_id: id20('offer'), offer: { type: 'offer', sdp: 'a' } }],
    },
    isReply(ih),
    'A offers',
  );
  const offer = await b.next((m) => 'offer' in m, 'the offer at B');
  assert.equal(offer.peer_id, id20('A'));
  const answer = {
    action: 'announce',
    info_hash: ih,
    peer_id: id20('B'),
    to_peer_id: id20('A'),
    offer_id: id20('offer'),
    answer: { type: 'answer', sdp: 'b' },
  };
  b.send(answer);
  const back = await a.next((m) => 'answer' in m, 'the answer at A');
  assert.equal(back.peer_id, id20('B'));
  assert.ok(performance.now() - started < 2_000, 'offer and answer cross at once');
  const refused = await b.request(answer, (m) => m.code === 'TRACKER_OFFER_NOT_FOUND', 'refusal');
  assert.equal(refused.info_hash, ih);
});
