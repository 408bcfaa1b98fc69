// How the tracker gets a newcomer paired soon. Offers that found no target (a page alone in its
// swarm on its node) wait for members that join, here or on other nodes. Trystero answers only the
// offer of the smaller peer_id when both pages have offers out (its glare rule), so a parked offer
// must go from the smaller peer_id to the larger one — whatever the two pages' member ids — or
// the pair meets only at the next announce (120 s once the swarm has company). A CI run once saw
// two Chromium pages never meet in 60 s. And a newcomer that has not paired is told to come back
// as soon as a lone peer is.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, trackerIdToHex, type TrackerId } from '@sigmesh/protocol';
import type { SigmeshNode } from '../../../src/index.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';
import { announce, id20, isReply, TrackerSocket, type TrackerMessage } from './tracker-socket.js';

/** Swarms per case: each pairs two fresh members, so a rule by member id fails one in two. */
const SWARMS = 8;

async function twoNodes(t: TestContext): Promise<[SigmeshNode, SigmeshNode]> {
  const net = await startTestnet(t, { nodes: 2 });
  const [n0, n1] = net.nodes as [SigmeshNode, SigmeshNode];
  await n0.connect(n1.url());
  return [n0, n1];
}

const ws = (node: SigmeshNode): string => `${node.url()}/announce`;
const roomOf = (ih: string) => deriveRoomHash('dialect:tracker', trackerIdToHex(ih as TrackerId));

/** Two peer ids for swarm `i`, the smaller first (Trystero compares them as strings). */
function pair(i: number, label: string): [string, string] {
  const ids = [id20(`${label}-${i}-x`), id20(`${label}-${i}-y`)];
  return ids.sort() as [string, string];
}

const offerFrom =
  (peerId: string) =>
  (message: TrackerMessage): boolean =>
    'offer' in message && message.peer_id === peerId;

test('a peer alone on its node: its parked offer reaches a larger peer_id that joins another node later, without announcing again', async (t) => {
  const [n0, n1] = await twoNodes(t);
  await Promise.all(
    Array.from({ length: SWARMS }, async (_, i) => {
      const ih = id20(`later-${i}`);
      const [small, large] = pair(i, 'later');
      const first = await TrackerSocket.open(t, ws(n0));
      await first.request(announce(ih, small, 3), isReply(ih), 'the smaller peer, alone');
      const second = await TrackerSocket.open(t, ws(n1));
      // Joins knowing the first (its offers go to it; a Trystero page there ignores them).
      await second.request(
        { action: 'announce', info_hash: ih, peer_id: large },
        isReply(ih),
        'the larger peer',
      );
      await waitFor(() => n1.remoteMembers(roomOf(ih)).length === 1, 'n1 to see the first peer');
      await second.request(announce(ih, large, 3), isReply(ih), 'the larger peer’s offers');
      await first.next(offerFrom(large), 'the larger peer’s offer at the smaller');
      // What Trystero answers: the smaller peer_id's offer, taken from the park.
      await second.next(offerFrom(small), `swarm ${i}: the parked offer at the larger peer`, 3_000);
      assert.equal(second.received.filter(offerFrom(small)).length, 1, 'one offer: pair once');
    }),
  );
});

test('on one node too: a larger peer_id that joins after the smaller parked its offers gets one of them', async (t) => {
  const node = await startTestNode(t);
  const ih = id20('one node');
  const [small, large] = pair(0, 'one node');
  const first = await TrackerSocket.open(t, `${node.url()}/announce`);
  await first.request(announce(ih, small, 3), isReply(ih), 'the smaller peer, alone');
  const second = await TrackerSocket.open(t, `${node.url()}/announce`);
  await second.request(announce(ih, large, 3), isReply(ih), 'the larger peer, with offers');
  await first.next(offerFrom(large), 'the larger peer’s offer at the smaller');
  await second.next(offerFrom(small), 'the parked offer at the larger peer', 3_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(second.received.filter(offerFrom(small)).length, 1, 'one offer: pair once');
  // The reverse order sends nothing back: the smaller peer already has the larger one's offer.
  assert.equal(first.received.filter(offerFrom(large)).length, 1);
});

test('two peers alone on two nodes at the same moment: the smaller peer_id’s parked offer reaches the larger, once', async (t) => {
  const [n0, n1] = await twoNodes(t);
  await Promise.all(
    Array.from({ length: SWARMS }, async (_, i) => {
      const ih = id20(`moment-${i}`);
      const [small, large] = pair(i, 'moment');
      // Which of the two is on which node alternates.
      const [smallNode, largeNode] = i % 2 === 0 ? [n0, n1] : [n1, n0];
      const [s, l] = await Promise.all([
        TrackerSocket.open(t, ws(smallNode)),
        TrackerSocket.open(t, ws(largeNode)),
      ]);
      await Promise.all([
        s.request(announce(ih, small, 3), isReply(ih), 'the smaller peer'),
        l.request(announce(ih, large, 3), isReply(ih), 'the larger peer'),
      ]);
      await l.next(offerFrom(small), `swarm ${i}: the smaller peer’s offer at the larger`, 4_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(l.received.filter(offerFrom(small)).length, 1, 'one offer: pair once');
    }),
  );
});

test('a newcomer with company is told the lone interval until it pairs or its first interval is over', async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const ih = id20('newcomers');
  const interval = async (socket: TrackerSocket, peerId: string, offers = 0): Promise<unknown> =>
    (await socket.request(announce(ih, peerId, offers), isReply(ih), peerId)).interval;
  const [a, b, c] = (await Promise.all(
    [0, 1, 2].map(() => TrackerSocket.open(t, `${node.url()}/announce`)),
  )) as [TrackerSocket, TrackerSocket, TrackerSocket];
  assert.equal(await interval(a, id20('A')), 15, 'alone');
  assert.equal(await interval(b, id20('B'), 1), 15, 'company, not paired yet');
  assert.equal(await interval(a, id20('A')), 15, 'company, not paired yet');
  const offer = await a.next(offerFrom(id20('B')), 'B’s offer at A');
  const answered = await a.request(
    {
      action: 'announce',
      info_hash: ih,
      peer_id: id20('A'),
      to_peer_id: id20('B'),
      offer_id: offer.offer_id,
      answer: { type: 'answer', sdp: 'answer' },
    },
    isReply(ih),
    'A answers',
  );
  assert.equal(answered.interval, 120, 'A paired: it answered');
  await b.next((m) => 'answer' in m, 'the answer at B');
  assert.equal(await interval(b, id20('B')), 120, 'B paired: its offer was answered');
  assert.equal(await interval(c, id20('C')), 15, 'C: a newcomer, not paired');
  skew = 120_000;
  assert.equal(await interval(c, id20('C')), 120, 'C: its first interval is over');
});
