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
import { PREFERRING_MAX_MEMBERS } from '../../../src/dialects/tracker/swarm.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  announce,
  id20,
  isReply,
  offerFrom,
  TrackerSocket,
  type TrackerMessage,
} from './tracker-socket.js';

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

test('a peer alone on its node: its parked offer reaches a larger peer_id that joins another node later, without announcing again', async (t) => {
  const [n0, n1] = await twoNodes(t);
  await Promise.all(
    Array.from({ length: SWARMS }, async (_, i) => {
      const ih = id20(`later-${i}`);
      const [small, large] = pair(i, 'later');
      const first = await TrackerSocket.open(t, ws(n0));
      await first.request(announce(ih, small, 3), isReply(ih), 'the smaller peer, alone');
      const second = await TrackerSocket.open(t, ws(n1));
      // Joins knowing the first.
      await second.request(
        { action: 'announce', info_hash: ih, peer_id: large },
        isReply(ih),
        'the larger peer',
      );
      await waitFor(() => n1.remoteMembers(roomOf(ih)).length === 1, 'n1 to see the first peer');
      await second.request(announce(ih, large, 3), isReply(ih), 'the larger peer’s offers');
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
  await second.next(offerFrom(small), 'the parked offer at the larger peer', 3_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(second.received.filter(offerFrom(small)).length, 1, 'one offer: pair once');
  // Nothing the other way: a Trystero page ignores a larger peer_id's offer while it has its own out.
  assert.equal(first.received.filter(offerFrom(large)).length, 0);
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

/** A's answer to `offer` (B's), as a tracker client sends it. */
function answerTo(ih: string, from: string, offer: TrackerMessage): Record<string, unknown> {
  return {
    action: 'announce',
    info_hash: ih,
    peer_id: from,
    to_peer_id: offer.peer_id,
    offer_id: offer.offer_id,
    answer: { type: 'answer', sdp: 'answer' },
  };
}

test('in a small swarm a peer is told the lone interval until it has paired with every other peer', async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const ih = id20('newcomers');
  // Offers go to larger peer_ids in a small swarm: B's to A, C's to both.
  const [C, B, A] = [id20('A'), id20('B'), id20('C')].sort() as [string, string, string];
  const interval = async (socket: TrackerSocket, peerId: string, offers = 0): Promise<unknown> =>
    (await socket.request(announce(ih, peerId, offers), isReply(ih), peerId)).interval;
  const [a, b, c] = (await Promise.all(
    [0, 1, 2].map(() => TrackerSocket.open(t, `${node.url()}/announce`)),
  )) as [TrackerSocket, TrackerSocket, TrackerSocket];
  assert.equal(await interval(a, A), 15, 'alone');
  assert.equal(await interval(b, B, 1), 15, 'company, not paired yet');
  assert.equal(await interval(a, A), 15, 'company, not paired yet');
  const offer = await a.next(offerFrom(B), 'B’s offer at A');
  const answered = await a.request(answerTo(ih, A, offer), isReply(ih), 'A answers');
  assert.equal(answered.interval, 120, 'A paired with the only other peer: it answered');
  await b.next((m) => 'answer' in m, 'the answer at B');
  assert.equal(await interval(b, B), 120, 'B paired: its offer was answered');
  assert.equal(await interval(c, C, 2), 15, 'C: a newcomer, not paired');
  assert.equal(await interval(a, A), 15, 'A has not paired with C');
  skew = 120_000;
  assert.equal(await interval(c, C), 15, 'C: unpaired in a small swarm, however long');
  // C offers again (its first offers have expired by now): one each to A and B, who answer.
  assert.equal(await interval(c, C, 2), 15);
  for (const [socket, id] of [
    [a, A],
    [b, B],
  ] as const) {
    const fromC = () => socket.received.filter(offerFrom(C));
    await waitFor(() => fromC().length === 2, `C’s second offer at ${id}`);
    await socket.request(answerTo(ih, id, fromC()[1]!), isReply(ih), `${id} answers C`);
  }
  await waitFor(() => c.received.filter((m) => 'answer' in m).length === 2, 'both answers at C');
  assert.equal(await interval(c, C), 120, 'C paired with everyone');
  assert.equal(await interval(a, A), 120, 'so did A');
});

test('in a big swarm a newcomer is told the lone interval until it pairs or its first interval is over', async (t) => {
  let skew = 0;
  const node = await startTestNode(t, {
    now: () => Date.now() + skew,
    trackerMaxConnectionsPerAddress: 200,
  });
  const url = `${node.url()}/announce`;
  const ih = id20('big swarm');
  // More members than a small swarm has (offer-relay.ts PREFERRING_MAX_MEMBERS).
  const crowd = await Promise.all(
    Array.from({ length: PREFERRING_MAX_MEMBERS }, async (_, i) => {
      const socket = await TrackerSocket.open(t, url);
      await socket.request(announce(ih, id20(`crowd ${i}`), 0), isReply(ih), `crowd ${i}`);
      return socket;
    }),
  );
  const interval = async (socket: TrackerSocket, peerId: string, offers = 0): Promise<unknown> =>
    (await socket.request(announce(ih, peerId, offers), isReply(ih), peerId)).interval;
  const a = await TrackerSocket.open(t, url);
  assert.equal(await interval(a, id20('A'), 1), 15, 'a newcomer, not paired');
  const placed = (socket: TrackerSocket) => socket.received.some(offerFrom(id20('A')));
  await waitFor(() => crowd.some(placed), 'A’s offer placed');
  const index = crowd.findIndex(placed);
  const offer = crowd[index]!.received.find(offerFrom(id20('A')))!;
  await crowd[index]!.request(
    answerTo(ih, id20(`crowd ${index}`), offer),
    isReply(ih),
    'an answer',
  );
  await a.next((m) => 'answer' in m, 'the answer at A');
  assert.equal(await interval(a, id20('A')), 120, 'paired once: enough in a big swarm');
  const b = await TrackerSocket.open(t, url);
  assert.equal(await interval(b, id20('B')), 15, 'B: a newcomer');
  skew = 120_000;
  assert.equal(await interval(b, id20('B')), 120, 'B: its first interval is over');
});
