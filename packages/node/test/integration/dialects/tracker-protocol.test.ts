// The tracker's protocol rules on one node, driven with raw WebSocket messages: the shapes it
// sends, aquatic's safety rules (peer_id binding with takeover, answers only for outstanding
// offers, at most 10 offers, 64 KiB messages) and refusals that name the request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { startTestNode } from '../../helpers/test-node.js';
import { announce, id20, isFailure, isReply, TrackerSocket } from './tracker-socket.js';

test('announce replies carry action, info_hash, counts and interval; offers and answers are relayed in aquatic shapes', async (t) => {
  const node = await startTestNode(t);
  const a = await TrackerSocket.open(t, `${node.url()}/announce`);
  const b = await TrackerSocket.open(t, `${node.url()}/`);
  const ih = id20('swarm');
  // In a small swarm offers go to larger peer_ids (tracker-glare.test.ts): B offers to A.
  const [B, A] = [id20('A'), id20('B')].sort() as [string, string];
  const first = await a.request(announce(ih, A, 3), isReply(ih), 'reply to A');
  assert.deepEqual(first, {
    action: 'announce',
    info_hash: ih,
    complete: 0,
    incomplete: 1,
    interval: 15, // alone in the swarm: come back soon
  });
  const second = await b.request(announce(ih, B, 2, { left: 0 }), isReply(ih), 'reply to B');
  // Company, but not paired yet: a newcomer comes back soon too (tracker-newcomers.test.ts).
  assert.deepEqual([second.complete, second.incomplete, second.interval], [1, 1, 15]);
  const offer = await a.next((m) => 'offer' in m, 'an offer for A');
  assert.deepEqual(Object.keys(offer).sort(), [
    'action',
    'info_hash',
    'offer',
    'offer_id',
    'peer_id',
  ]);
  assert.equal(offer.peer_id, B);
  assert.equal((offer.offer as { type: string }).type, 'offer');
  // A answers; the answer reaches B with A's peer_id and the offer's id.
  const answer = {
    action: 'announce',
    info_hash: ih,
    peer_id: A,
    to_peer_id: offer.peer_id,
    offer_id: offer.offer_id,
    answer: { type: 'answer', sdp: 'answer sdp' },
  };
  a.send(answer);
  const relayed = await b.next((m) => 'answer' in m, 'the answer at B');
  assert.deepEqual(relayed, {
    action: 'announce',
    info_hash: ih,
    peer_id: A,
    offer_id: offer.offer_id,
    answer: { type: 'answer', sdp: 'answer sdp' },
  });
  // The offer is spent: a second answer to it is refused (aquatic's outstanding-offer rule).
  const again = await a.request(answer, isFailure('TRACKER_OFFER_NOT_FOUND'), 'refusal');
  assert.equal(again.action, 'announce');
  assert.equal(again.info_hash, ih);
});

test('an answer from a peer the offer was not sent to is refused', async (t) => {
  const node = await startTestNode(t);
  const ih = id20('answers');
  const [B, A, C] = [id20('A'), id20('B'), id20('C')].sort() as [string, string, string];
  const a = await TrackerSocket.open(t, `${node.url()}/announce`);
  const c = await TrackerSocket.open(t, `${node.url()}/announce`);
  await a.request(announce(ih, A, 0), isReply(ih), 'A joins');
  await c.request(announce(ih, C, 0), isReply(ih), 'C joins');
  const b = await TrackerSocket.open(t, `${node.url()}/announce`);
  await b.request(announce(ih, B, 1), isReply(ih), 'B offers');
  const [receiver, other] = await Promise.race([
    a.next((m) => 'offer' in m, 'offer').then(() => [a, c] as const),
    c.next((m) => 'offer' in m, 'offer').then(() => [c, a] as const),
  ]);
  const offer = receiver.received.find((m) => 'offer' in m)!;
  const forged = await other.request(
    {
      action: 'announce',
      info_hash: ih,
      peer_id: other === a ? A : C,
      to_peer_id: B,
      offer_id: offer.offer_id,
      answer: { type: 'answer', sdp: 'x' },
    },
    isFailure('TRACKER_OFFER_NOT_FOUND'),
    'refusal of an answer to an offer never received',
  );
  assert.equal(forged.info_hash, ih);
  assert.equal(
    b.received.some((m) => 'answer' in m),
    false,
  );
});

test('at most 10 offers of one announce are relayed', async (t) => {
  const node = await startTestNode(t);
  const ih = id20('many');
  const peers = await Promise.all(
    Array.from({ length: 12 }, () => TrackerSocket.open(t, `${node.url()}/announce`)),
  );
  for (const [i, peer] of peers.entries())
    await peer.request(announce(ih, id20(`P${i}`), 0), isReply(ih), 'join');
  const offerer = await TrackerSocket.open(t, `${node.url()}/announce`);
  // Offers go to larger peer_ids in a small swarm: id20('O') is smaller than 11 of the 12.
  await offerer.request(announce(ih, id20('O'), 15), isReply(ih), 'offers');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const delivered = peers.filter((peer) => peer.received.some((m) => 'offer' in m)).length;
  assert.equal(delivered, 10);
});

test('peer_id binding: one per swarm per connection; a live holder keeps it, a dead one is taken over', async (t) => {
  const node = await startTestNode(t, { trackerTakeoverWaitMs: 300 });
  const ih = id20('binding');
  const a = await TrackerSocket.open(t, `${node.url()}/announce`);
  await a.request(announce(ih, id20('A'), 0), isReply(ih), 'A joins');
  await a.request(announce(ih, id20('A2'), 0), isFailure('TRACKER_PEER_ID_CHANGED'), 'refusal');
  // Another connection announcing A's peer_id while A answers pings: refused.
  const thief = await TrackerSocket.open(t, `${node.url()}/announce`);
  await thief.request(announce(ih, id20('A'), 0), isFailure('TRACKER_PEER_ID_TAKEN'), 'refusal');
  // A holder that no longer answers (a half-open socket) is replaced by the reconnecting page.
  const ghost = new WebSocket(`${node.url().replace('http', 'ws')}/announce`, { autoPong: false });
  t.after(() => ghost.terminate());
  await new Promise((resolve) => ghost.once('open', resolve));
  ghost.send(JSON.stringify(announce(ih, id20('G'), 0)));
  await new Promise((resolve) => ghost.once('message', resolve));
  const page = await TrackerSocket.open(t, `${node.url()}/announce`);
  const reply = await page.request(announce(ih, id20('G'), 0), isReply(ih), 'takeover');
  assert.equal(reply.incomplete, 2); // A and the page: the ghost is gone
});

test('malformed messages get a refusal naming action and info_hash, and the connection keeps working', async (t) => {
  const node = await startTestNode(t);
  const s = await TrackerSocket.open(t, `${node.url()}/announce`);
  const ih = id20('malformed');
  const cases: Array<[unknown, string]> = [
    ['not json', 'TRACKER_REQUEST_INVALID'],
    [[1, 2], 'TRACKER_REQUEST_INVALID'],
    [{ action: 'announce', info_hash: 'short', peer_id: id20('x') }, 'TRACKER_REQUEST_INVALID'],
    [{ action: 'announce', info_hash: ih, peer_id: 'Ā'.repeat(20) }, 'TRACKER_REQUEST_INVALID'],
    [
      { action: 'announce', info_hash: ih, peer_id: id20('x'), event: 'exploded' },
      'TRACKER_REQUEST_INVALID',
    ],
    [
      {
        ...announce(ih, id20('x'), 1),
        offers: [{ offer_id: 'x'.repeat(16), offer: { type: 'offer', sdp: '' } }],
      },
      'TRACKER_REQUEST_INVALID',
    ],
    [
      {
        ...announce(ih, id20('x'), 0),
        answer: { sdp: 'no type' },
        to_peer_id: id20('y'),
        offer_id: id20('z'),
      },
      'TRACKER_REQUEST_INVALID',
    ],
    [{ action: 'scrape' }, 'TRACKER_SCRAPE_REFUSED'],
    [{ action: 'dance', info_hash: ih }, 'TRACKER_REQUEST_INVALID'],
  ];
  for (const [message, code] of cases) {
    const refusal = await s.request(
      message,
      isFailure(code),
      `refusal of ${JSON.stringify(message)}`,
    );
    assert.ok(refusal.action === 'announce' || refusal.action === 'scrape');
    assert.equal(typeof refusal.info_hash, 'string');
  }
  const reply = await s.request(announce(ih, id20('x'), 0), isReply(ih), 'a valid announce after');
  assert.equal(reply.incomplete, 1);
  // Binary frames holding JSON are accepted too (aquatic does).
  const from = s.received.length;
  s.ws.send(Buffer.from(JSON.stringify({ action: 'scrape', info_hash: ih })), { binary: true });
  const scrape = await s.next((m) => m.action === 'scrape', 'scrape reply', 5_000, from);
  assert.deepEqual(scrape, {
    action: 'scrape',
    files: { [ih]: { complete: 0, incomplete: 1, downloaded: 0 } },
  });
});

test('a message over 64 KiB closes the connection (1009); plain HTTP / is still the node API', async (t) => {
  const node = await startTestNode(t);
  const s = await TrackerSocket.open(t, `${node.url()}/announce`);
  s.send({ action: 'announce', pad: 'x'.repeat(65 * 1024) });
  await s.next(() => false, 'close', 2_000).catch(() => undefined);
  assert.equal(s.closeCode, 1009);
  const root = await fetch(`${node.url()}/`, { headers: { accept: 'application/json' } });
  assert.equal(root.status, 200);
  assert.match(root.headers.get('content-type') ?? '', /application\/json/);
});

test('silent peers expire and scrape counts only what is left', async (t) => {
  const node = await startTestNode(t, { trackerPeerTimeoutSeconds: 2, trackerIntervalSeconds: 10 });
  const ih = id20('expiry');
  const a = await TrackerSocket.open(t, `${node.url()}/announce`);
  const b = await TrackerSocket.open(t, `${node.url()}/announce`);
  await a.request(announce(ih, id20('A'), 0), isReply(ih), 'A');
  await b.request(announce(ih, id20('B'), 0), isReply(ih), 'B');
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  await b.request(announce(ih, id20('B'), 0), isReply(ih), 'B again');
  await new Promise((resolve) => setTimeout(resolve, 1_800));
  const scrape = await b.request(
    { action: 'scrape', info_hash: [ih] },
    (m) => m.action === 'scrape',
    'scrape',
  );
  assert.deepEqual(scrape.files, { [ih]: { complete: 0, incomplete: 1, downloaded: 0 } });
  assert.equal(a.closeCode, 1006); // A's silent connection was closed as well
});
