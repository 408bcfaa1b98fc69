// Where a small swarm's offers go. Trystero answers an offer only from a smaller peer_id once it
// has offers of its own out — which every page has after its first announce — and ignores offers
// from a peer it is connected to, so in a Trystero room an offer placed with a smaller peer_id,
// or with a page already paired, is wasted, and a page that joins later meets the smaller pages
// already there only when one of their offers reaches it: at their next announce, up to 120 s
// later, if the tracker picks it then. A 6-page room on three nodes had 2–4 pairs of 15 still
// apart after 40 s (bench/tracker/trystero-swarm.ts). Now, in swarms of up to 64 members, offers
// go only to larger peer_ids not paired or offered to lately, the rest wait for newcomers, and an
// offer left unanswered goes to the next newcomer with a larger peer_id.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash, trackerIdToHex, type TrackerId } from '@sigmesh/protocol';
import type { SigmeshNode } from '../../../src/index.js';
import { IGNORED_MS, PAIR_HOLD_MS } from '../../../src/dialects/tracker/offer-relay.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  announce,
  answer,
  id20,
  isFailure,
  isReply,
  offerFrom,
  sortedIds,
  TrackerSocket,
} from './tracker-socket.js';

/** Swarms per case: where a random pick would pass one in several, all of them must pass. */
const SWARMS = 4;

/** Peers that announce once, without offers, on `url`: members of swarm `ih`. */
async function join(
  t: TestContext,
  url: string,
  ih: string,
  ids: string[],
): Promise<TrackerSocket[]> {
  return Promise.all(ids.map((peerId) => TrackerSocket.announced(t, url, ih, peerId)));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The offer ids of an announce made with `announce()`. */
const offerIds = (message: Record<string, unknown>): string[] =>
  (message.offers as Array<{ offer_id: string }>).map((offer) => offer.offer_id);

test('in a small swarm, offers go only to larger peer_ids', async (t) => {
  const node = await startTestNode(t);
  const url = `${node.url()}/announce`;
  await Promise.all(
    Array.from({ length: SWARMS }, async (_, s) => {
      const ih = id20(`larger-${s}`);
      // Four smaller peers, the offerer, two larger: a random pick of two is the two larger 1 in 15.
      const ids = sortedIds(`larger-${s}`, 7);
      const offerer = ids[4]!;
      const others = await join(t, url, ih, [...ids.slice(0, 4), ...ids.slice(5)]);
      const socket = await TrackerSocket.open(t, url);
      await socket.request(announce(ih, offerer, 3), isReply(ih), 'three offers');
      await Promise.all(
        others.slice(4).map((o) => o.next(offerFrom(offerer), 'an offer at a larger peer')),
      );
      await pause(100);
      for (const smaller of others.slice(0, 4))
        assert.equal(
          smaller.received.filter(offerFrom(offerer)).length,
          0,
          `swarm ${s}: none at a smaller peer`,
        );
    }),
  );
});

test('offers go to larger members not offered to lately, and wait for a newcomer when none is left', async (t) => {
  const node = await startTestNode(t);
  const url = `${node.url()}/announce`;
  await Promise.all(
    Array.from({ length: SWARMS }, async (_, s) => {
      const ih = id20(`lately-${s}`);
      const ids = sortedIds(`lately-${s}`, 5);
      const offerer = ids[1]!;
      const members = await join(t, url, ih, [ids[0]!, ids[2]!, ids[3]!]);
      const socket = await TrackerSocket.open(t, url);
      const offered = (o: TrackerSocket) => o.received.filter(offerFrom(offerer)).length;
      const announceOne = async (what: string): Promise<void> => {
        await socket.request(announce(ih, offerer, 1), isReply(ih), what);
        await pause(50);
      };
      await announceOne('first offer');
      await announceOne('second offer');
      assert.deepEqual(members.map(offered), [0, 1, 1], `swarm ${s}: one to each larger peer`);
      await announceOne('third offer');
      assert.deepEqual(members.map(offered), [0, 1, 1], `swarm ${s}: the third waits`);
      const [newcomer] = await join(t, url, ih, [ids[4]!]);
      await newcomer!.next(offerFrom(offerer), `swarm ${s}: an offer at the newcomer`, 2_000);
      await pause(100);
      assert.equal(offered(newcomer!), 1, 'one offer per peer and newcomer');
    }),
  );
});

test('a member it paired with gets no more of its offers: they wait for the next newcomer', async (t) => {
  const node = await startTestNode(t);
  const url = `${node.url()}/announce`;
  const ih = id20('paired');
  const [offerer, largeId, newId] = sortedIds('paired', 3) as [string, string, string];
  const [large] = await join(t, url, ih, [largeId]);
  const socket = await TrackerSocket.open(t, url);
  await socket.request(announce(ih, offerer, 1), isReply(ih), 'the first offer');
  const offer = await large!.next(offerFrom(offerer), 'the first offer at the larger peer');
  await large!.request(answer(ih, largeId, offerer, offer), isReply(ih), 'its answer');
  await socket.next((m) => 'answer' in m, 'the answer at the offerer');
  const second = announce(ih, offerer, 1);
  await socket.request(second, isReply(ih), 'a second offer');
  await pause(200);
  assert.equal(large!.received.filter(offerFrom(offerer)).length, 1, 'none to the paired peer');
  const [newcomer] = await join(t, url, ih, [newId]);
  const parked = await newcomer!.next(offerFrom(offerer), 'the second offer at a newcomer', 2_000);
  assert.equal(parked.offer_id, offerIds(second)[0]);
});

test(`an offer left unanswered for ${IGNORED_MS / 1000} s goes to a newcomer that came meanwhile, whose answer pairs them`, async (t) => {
  const node = await startTestNode(t);
  const url = `${node.url()}/announce`;
  const ih = id20('patience');
  const [offerer, largeId, newId] = sortedIds('patience', 3) as [string, string, string];
  const [large] = await join(t, url, ih, [largeId]);
  const socket = await TrackerSocket.open(t, url);
  await socket.request(announce(ih, offerer, 1), isReply(ih), 'the offer');
  const offer = await large!.next(offerFrom(offerer), 'the offer at the larger peer');
  const placedAt = Date.now();
  const [newcomer] = await join(t, url, ih, [newId]);
  await pause(500);
  assert.equal(newcomer!.received.filter(offerFrom(offerer)).length, 0, 'it may answer yet');
  // Unanswered: it goes to the newcomer without the offerer announcing again.
  const moved = await newcomer!.next(
    offerFrom(offerer),
    'the offer at the newcomer',
    IGNORED_MS + 5_000,
  );
  assert.equal(moved.offer_id, offer.offer_id);
  assert.ok(Date.now() - placedAt >= IGNORED_MS - 50, 'not before it was taken as ignored');
  await newcomer!.request(answer(ih, newId, offerer, moved), isReply(ih), 'the newcomer answers');
  assert.equal((await socket.next((m) => 'answer' in m, 'its answer')).peer_id, newId);
  // The first target's answer, were it to come now, no longer pairs: one answer per offer.
  await large!.request(
    answer(ih, largeId, offerer, offer),
    isFailure('TRACKER_OFFER_NOT_FOUND'),
    'a late answer',
  );
});

test('an offer announced again after its target left it unanswered goes to another member', async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const url = `${node.url()}/announce`;
  const ih = id20('again');
  const [offerer, l1, l2] = sortedIds('again', 3) as [string, string, string];
  const larger = await join(t, url, ih, [l1, l2]);
  const socket = await TrackerSocket.open(t, url);
  const pool = announce(ih, offerer, 1);
  await socket.request(pool, isReply(ih), 'the offer');
  await waitFor(() => larger.some((o) => o.received.some(offerFrom(offerer))), 'the offer placed');
  const first = larger.findIndex((o) => o.received.some(offerFrom(offerer)));
  // Trystero announces its pool again, the same offer: too soon to place it again.
  await socket.request(pool, isReply(ih), 'the same offer again');
  await pause(200);
  assert.equal(larger[1 - first]!.received.filter(offerFrom(offerer)).length, 0);
  skew = IGNORED_MS;
  await socket.request(pool, isReply(ih), 'the same offer, unanswered');
  const moved = await larger[1 - first]!.next(offerFrom(offerer), 'the offer at the other member');
  assert.equal(moved.offer_id, offerIds(pool)[0]);
});

test('across nodes: an offer that found only smaller peer_ids reaches a newcomer on another node', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n0, n1] = net.nodes as [SigmeshNode, SigmeshNode];
  await n0.connect(n1.url());
  await Promise.all(
    Array.from({ length: SWARMS }, async (_, s) => {
      const ih = id20(`across-${s}`);
      const [smallId, offerer, newId] = sortedIds(`across-${s}`, 3) as [string, string, string];
      const [small] = await join(t, `${n0.url()}/announce`, ih, [smallId]);
      const socket = await TrackerSocket.open(t, `${n0.url()}/announce`);
      await socket.request(announce(ih, offerer, 1), isReply(ih), 'the offer');
      const room = deriveRoomHash('dialect:tracker', trackerIdToHex(ih as TrackerId));
      // Announces with no offers: n0 learns its peer_id by asking it.
      const [newcomer] = await join(t, `${n1.url()}/announce`, ih, [newId]);
      await waitFor(() => n0.remoteMembers(room).length === 1, 'n0 to see the newcomer');
      await newcomer!.next(
        offerFrom(offerer),
        `swarm ${s}: the offer at the newcomer on n1`,
        4_000,
      );
      assert.equal(small!.received.filter(offerFrom(offerer)).length, 0, 'none to the smaller');
    }),
  );
});

test('across nodes: an offer moved on to another member of the same node is delivered there', async (t) => {
  let skew = 0;
  const net = await startTestnet(t, { nodes: 2, nodeOptions: { now: () => Date.now() + skew } });
  const [n0, n1] = net.nodes as [SigmeshNode, SigmeshNode];
  await n0.connect(n1.url());
  const ih = id20('moved');
  const [offerer, l1, l2] = sortedIds('moved', 3) as [string, string, string];
  const room = deriveRoomHash('dialect:tracker', trackerIdToHex(ih as TrackerId));
  const [first] = await join(t, `${n1.url()}/announce`, ih, [l1]);
  await waitFor(() => n0.remoteMembers(room).length === 0, 'no member on n0 yet');
  const socket = await TrackerSocket.open(t, `${n0.url()}/announce`);
  const pool = announce(ih, offerer, 1);
  await socket.request(pool, isReply(ih), 'the offer');
  await first!.next(offerFrom(offerer), 'the offer at the first member on n1', 4_000);
  const [second] = await join(t, `${n1.url()}/announce`, ih, [l2]);
  await waitFor(() => n0.remoteMembers(room).length === 2, 'n0 to see the second member');
  // Left unanswered: announced again, it goes to the second member — on the same node as the
  // first, which must not take it for the same offer placed there twice.
  skew = IGNORED_MS;
  await socket.request(pool, isReply(ih), 'the same offer, unanswered');
  const moved = await second!.next(offerFrom(offerer), 'the offer at the second member', 4_000);
  assert.equal(moved.offer_id, offerIds(pool)[0]);
});

test(`a pair older than ${PAIR_HOLD_MS / 1000} s gets one offer per announce again: its connection may have failed after the answer`, async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const url = `${node.url()}/announce`;
  const ih = id20('old pair');
  const [offerer, largeId] = sortedIds('old pair', 2) as [string, string];
  const [large] = await join(t, url, ih, [largeId]);
  const socket = await TrackerSocket.open(t, url);
  await socket.request(announce(ih, offerer, 1), isReply(ih), 'the first offer');
  const offer = await large!.next(offerFrom(offerer), 'the first offer at the larger peer');
  await large!.request(answer(ih, largeId, offerer, offer), isReply(ih), 'its answer');
  await socket.next((m) => 'answer' in m, 'the answer at the offerer');
  const offered = () => large!.received.filter(offerFrom(offerer)).length;
  await socket.request(announce(ih, offerer, 2), isReply(ih), 'offers while the pair is new');
  await pause(200);
  assert.equal(offered(), 1, 'none while the pair is new');
  skew = PAIR_HOLD_MS;
  await socket.request(announce(ih, offerer, 2), isReply(ih), 'offers once it is old');
  await waitFor(() => offered() === 2, 'an offer to the old pair');
  await pause(200);
  assert.equal(offered(), 2, 'one per announce');
});
