// Hostile or stuck members of a small swarm: peers that announce and never answer an offer. In a
// Trystero room every page answers an offer from a smaller peer_id it is not connected to (the
// only offers a small swarm's pages are sent), so a member that leaves its offers unanswered is
// stuck or hostile. Without a rule for them, twelve such sockets with the largest peer_ids took
// most of an honest page's offers: a page met the two other pages of its room in its first
// announce 3 times in 100, and each later announce drew from the silent ones again. Now a member
// that left an offer from a local peer unanswered for 10 s, and has answered none since, is
// offered to after every other member (offer-relay.ts `pickTargets`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IGNORED_MS } from '../../../src/dialects/tracker/offer-relay.js';
import type { SigmeshNode } from '../../../src/index.js';
import { startTestNode } from '../../helpers/test-node.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  announce,
  answer,
  id20,
  isReply,
  offerFrom,
  sortedIds,
  TrackerSocket,
} from './tracker-socket.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(`members that left an offer unanswered ${IGNORED_MS / 1000} s are offered to after the others: silent sockets do not keep a room's pages apart`, async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const url = `${node.url()}/announce`;
  const ih = id20('silent');
  // The prober and the newcomer are the smallest; the twelve silent ones are larger than all.
  const ids = sortedIds('silent', 16);
  const [proberId, newId, b, c] = ids as [string, string, string, string];
  const silentIds = ids.slice(4);
  const open = (peerId: string) => TrackerSocket.announced(t, url, ih, peerId);
  const silent = await Promise.all(silentIds.map(open));
  const honest = await Promise.all([b, c].map(open));
  // A page offers to all fourteen (10 + 4: not twice to one within 30 s); b and c answer.
  const prober = await TrackerSocket.open(t, url);
  await prober.request(announce(ih, proberId, 10), isReply(ih), 'ten offers');
  await prober.request(announce(ih, proberId, 10), isReply(ih), 'ten more');
  await Promise.all(
    honest.map(async (socket, i) => {
      const peerId = [b, c][i]!;
      const offer = await socket.next(offerFrom(proberId), `the prober's offer at ${peerId}`);
      await socket.request(answer(ih, peerId, proberId, offer), isReply(ih), 'an answer');
    }),
  );
  await waitFor(
    () => silent.every((s) => s.received.some(offerFrom(proberId))),
    'an offer at every silent member',
  );
  skew = IGNORED_MS;
  // A page joins with three offers: b and c get one each, the silent ones one at most.
  const newcomer = await TrackerSocket.open(t, url);
  await newcomer.request(announce(ih, newId, 3), isReply(ih), 'three offers');
  await Promise.all(honest.map((s) => s.next(offerFrom(newId), 'an offer at an honest page')));
  await pause(100);
  const atSilent = silent.filter((s) => s.received.some(offerFrom(newId))).length;
  assert.ok(atSilent <= 1, `${atSilent} offers at silent members`);
});

test('a member that answers again is offered to before the silent ones', async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const url = `${node.url()}/announce`;
  // Two swarms one after the other (one clock): a random pick passes both 1 time in 16.
  for (const s of [0, 1]) {
    const ih = id20(`woke-${s}`);
    const [p1, p2, p3, ...largerIds] = sortedIds(`woke-${s}`, 7) as [
      string,
      string,
      string,
      ...string[],
    ];
    const larger = await Promise.all(
      largerIds.map(async (peerId) => ({
        socket: await TrackerSocket.announced(t, url, ih, peerId),
        peerId,
      })),
    );
    const offered = (peerId: string) =>
      larger.filter(({ socket }) => socket.received.some(offerFrom(peerId)));
    // p1 offers to all four; none answers for 10 s.
    const first = await TrackerSocket.open(t, url);
    await first.request(announce(ih, p1, 4), isReply(ih), "p1's offers");
    await waitFor(() => offered(p1).length === 4, "p1's offers at all four");
    skew += IGNORED_MS;
    // One of them answers p2's offer.
    const second = await TrackerSocket.open(t, url);
    await second.request(announce(ih, p2, 1), isReply(ih), "p2's offer");
    await waitFor(() => offered(p2).length === 1, "p2's offer placed");
    const [woke] = offered(p2);
    const offer = await woke!.socket.next(offerFrom(p2), "p2's offer");
    await woke!.socket.request(answer(ih, woke!.peerId, p2, offer), isReply(ih), 'an answer');
    // p3's one offer goes to it, not to the three still silent.
    const third = await TrackerSocket.open(t, url);
    await third.request(announce(ih, p3, 1), isReply(ih), "p3's offer");
    await woke!.socket.next(offerFrom(p3), `swarm ${s}: p3's offer at the one that answered`);
  }
});

test(`an offer left unanswered ${IGNORED_MS / 1000} s moves on to another member without the page announcing again`, async (t) => {
  const node = await startTestNode(t);
  const url = `${node.url()}/announce`;
  const ih = id20('moves on');
  const [offererId, ...largerIds] = sortedIds('moves on', 3) as [string, string, string];
  const larger = await Promise.all(
    largerIds.map(async (peerId) => ({
      socket: await TrackerSocket.announced(t, url, ih, peerId),
      peerId,
    })),
  );
  const offerer = await TrackerSocket.open(t, url);
  await offerer.request(announce(ih, offererId, 1), isReply(ih), 'one offer');
  const at = (peerId: string) =>
    larger.filter(({ socket }) => socket.received.some(offerFrom(peerId)));
  await waitFor(() => at(offererId).length === 1, 'the offer placed');
  const [first] = at(offererId);
  const placedAt = Date.now();
  const other = larger.find((member) => member !== first)!;
  const moved = await other.socket.next(
    offerFrom(offererId),
    'the offer at the other member',
    IGNORED_MS + 5_000,
  );
  assert.ok(Date.now() - placedAt >= IGNORED_MS - 50, 'not before it was taken as ignored');
  await other.socket.request(answer(ih, other.peerId, offererId, moved), isReply(ih), 'answer');
  assert.equal((await offerer.next((m) => 'answer' in m, 'the answer')).peer_id, other.peerId);
});

test('across nodes: a member its node found silent is offered to after the members that answer', async (t) => {
  const net = await startTestnet(t, { nodes: 2 });
  const [n0, n1] = net.nodes as [SigmeshNode, SigmeshNode];
  await n0.connect(n1.url());
  // Two swarms at once: a pick that ignores what n1 said passes both 1 time in 25.
  await Promise.all(
    [0, 1].map(async (s) => {
      const ih = id20(`told-${s}`);
      const [proberId, pageId, honestId, ...silentIds] = sortedIds(`told-${s}`, 7) as [
        string,
        string,
        string,
        ...string[],
      ];
      const page = await TrackerSocket.announced(t, `${n0.url()}/announce`, ih, pageId);
      const at1 = `${n1.url()}/announce`;
      const silent = await Promise.all(
        silentIds.map((id) => TrackerSocket.announced(t, at1, ih, id)),
      );
      const honest = await TrackerSocket.announced(t, at1, ih, honestId);
      // On n1, a prober (the smallest peer_id) offers to all six; the honest one answers, the
      // four silent ones never do.
      const prober = await TrackerSocket.open(t, at1);
      await prober.request(announce(ih, proberId, 6), isReply(ih), 'six offers');
      const offer = await honest.next(offerFrom(proberId), "the prober's offer");
      await honest.request(answer(ih, honestId, proberId, offer), isReply(ih), 'an answer');
      await waitFor(
        () => silent.every((socket) => socket.received.some(offerFrom(proberId))),
        'an offer at each silent member',
      );
      // n1 tells n0 once they have left them unanswered 10 s.
      await pause(IGNORED_MS + 1_000);
      await page.request(announce(ih, pageId, 1), isReply(ih), "the page's offer");
      await honest.next(offerFrom(pageId), `swarm ${s}: the page's offer at the honest member`);
      assert.ok(silent.every((socket) => !socket.received.some(offerFrom(pageId))));
    }),
  );
});

test('a newcomer gets at once an offer its smaller peer placed with a member already silent', async (t) => {
  let skew = 0;
  const node = await startTestNode(t, { now: () => Date.now() + skew });
  const url = `${node.url()}/announce`;
  const ih = id20('silent target');
  const [proberId, offererId, newId, silentId] = sortedIds('silent target', 4) as [
    string,
    string,
    string,
    string,
  ];
  const open = (peerId: string, offers: number) =>
    TrackerSocket.announced(t, url, ih, peerId, offers);
  const silent = await open(silentId, 0);
  await open(proberId, 1);
  await silent.next(offerFrom(proberId), "the prober's offer");
  skew = IGNORED_MS;
  // The silent member is the only larger one: the offer goes there all the same.
  await open(offererId, 1);
  const offer = await silent.next(offerFrom(offererId), "the offerer's offer");
  const newcomer = await open(newId, 0);
  const moved = await newcomer.next(offerFrom(offererId), 'the offer at the newcomer', 2_000);
  assert.equal(moved.offer_id, offer.offer_id);
});

test('a member known to answer is offered to before members not known either way', async (t) => {
  const node = await startTestNode(t);
  const url = `${node.url()}/announce`;
  const open = (ih: string, peerId: string, offers = 0) =>
    TrackerSocket.announced(t, url, ih, peerId, offers);
  // Two swarms: a pick that ignores who answered passes both 1 time in 16.
  for (const s of [0, 1]) {
    const ih = id20(`responsive-${s}`);
    const [firstId, secondId, answererId, ...unknownIds] = sortedIds(`responsive-${s}`, 6) as [
      string,
      string,
      string,
      ...string[],
    ];
    // The first page's offer reaches the answerer, then alone in the swarm, which answers.
    const answerer = await open(ih, answererId);
    const first = await open(ih, firstId, 1);
    const offer = await answerer.next(offerFrom(firstId), "the first page's offer");
    await answerer.request(answer(ih, answererId, firstId, offer), isReply(ih), 'its answer');
    await first.next((m) => 'answer' in m, 'the answer');
    // Three members join that nobody has offered to yet; the second page's offer goes to the
    // one known to answer.
    await Promise.all(unknownIds.map((id) => open(ih, id)));
    await open(ih, secondId, 1);
    await answerer.next(offerFrom(secondId), `swarm ${s}: the second page's offer at the answerer`);
  }
});
