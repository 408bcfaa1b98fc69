import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  isTrackerId,
  parseTrackerRequest,
  parseTrackerSwarmMessage,
  trackerIdFromHex,
  trackerIdToHex,
  type TrackerId,
} from '../src/index.js';

const binary20 = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((bytes) => String.fromCharCode(...bytes));

test('what bittorrent-tracker accepts parses: no event, no left, no numwant, unknown fields', () => {
  const ih = 'a'.repeat(20);
  const result = parseTrackerRequest({
    action: 'announce',
    info_hash: ih,
    peer_id: 'b'.repeat(20),
    foo: 1,
  });
  assert.ok(result.ok);
  assert.deepEqual(result.value, {
    action: 'announce',
    infoHash: ih,
    peerId: 'b'.repeat(20),
    event: 'update',
    left: undefined,
    offers: [],
    offersIgnored: 0,
    answer: undefined,
  });
  const left = parseTrackerRequest({
    action: 'announce',
    info_hash: ih,
    peer_id: ih,
    left: '0',
    event: 'completed',
  });
  assert.ok(
    left.ok &&
      left.value.action === 'announce' &&
      left.value.left === 0 &&
      left.value.event === 'completed',
  );
});

test('20-byte fields are exact (offer_id too), signals are { type, sdp }, offers beyond the limit are ignored', () => {
  const ih = 'a'.repeat(20);
  const base = { action: 'announce', info_hash: ih, peer_id: ih };
  const offer = (id: string, type = 'offer') => ({ offer_id: id, offer: { type, sdp: 's' } });
  for (const bad of [
    { ...base, info_hash: 'a'.repeat(19) },
    { ...base, peer_id: 'Ā' + 'a'.repeat(19) },
    { ...base, offers: [offer('x'.repeat(16))] },
    { ...base, offers: [offer(ih, 'answer')] },
    { ...base, offers: {} },
    { ...base, answer: { type: 'answer', sdp: 's' }, offer_id: ih },
    { ...base, answer: { type: 'offer', sdp: 's' }, offer_id: ih, to_peer_id: ih },
    { ...base, event: 'exploded' },
  ]) {
    const result = parseTrackerRequest(bad);
    assert.equal(result.ok, false, JSON.stringify(bad));
    if (!result.ok) assert.equal(result.code, 'TRACKER_REQUEST_INVALID');
  }
  const many = parseTrackerRequest({
    ...base,
    offers: Array.from({ length: 12 }, () => offer(ih)),
  });
  assert.ok(many.ok && many.value.action === 'announce');
  assert.equal(many.value.offers.length, 10);
  assert.equal(many.value.offersIgnored, 2);
});

test('scrape: one hash or a list; a full scrape is refused', () => {
  const ih = 'a'.repeat(20);
  assert.deepEqual(parseTrackerRequest({ action: 'scrape', info_hash: ih }), {
    ok: true,
    value: { action: 'scrape', infoHashes: [ih] },
  });
  for (const value of [{ action: 'scrape' }, { action: 'scrape', info_hash: [] }]) {
    const result = parseTrackerRequest(value);
    assert.ok(!result.ok && result.code === 'TRACKER_SCRAPE_REFUSED' && result.action === 'scrape');
  }
});

test('property: any JSON value parses to a request or a refusal naming announce or scrape; never throws', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            action: fc.constantFrom('announce', 'scrape'),
            info_hash: fc.oneof(binary20, fc.string()),
            peer_id: fc.oneof(binary20, fc.string()),
            offers: fc.jsonValue(),
            answer: fc.jsonValue(),
            event: fc.jsonValue(),
            left: fc.jsonValue(),
          },
          { requiredKeys: ['action'] },
        ),
      ),
      (value) => {
        const result = parseTrackerRequest(value);
        if (result.ok) return;
        assert.ok(result.action === 'announce' || result.action === 'scrape');
        assert.ok(result.infoHash === undefined || isTrackerId(result.infoHash));
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: announces with valid fields and offers round-trip through JSON and the parser', () => {
  fc.assert(
    fc.property(
      binary20,
      binary20,
      fc.array(fc.tuple(binary20, fc.string()), { maxLength: 10 }),
      (ih, peer, offers) => {
        const wire = JSON.parse(
          JSON.stringify({
            action: 'announce',
            info_hash: ih,
            peer_id: peer,
            offers: offers.map(([id, sdp]) => ({ offer_id: id, offer: { type: 'offer', sdp } })),
          }),
        ) as unknown;
        const result = parseTrackerRequest(wire);
        assert.ok(result.ok && result.value.action === 'announce');
        assert.equal(result.value.infoHash, ih);
        assert.deepEqual(
          result.value.offers.map((o) => [o.offerId, o.sdp]),
          offers,
        );
      },
    ),
  );
});

test('property: tracker ids and hex convert both ways; any UTF-16 unit above 255 is not an id', () => {
  fc.assert(
    fc.property(binary20, (id) => {
      assert.equal(trackerIdFromHex(trackerIdToHex(id as TrackerId)), id);
    }),
  );
  fc.assert(
    fc.property(
      binary20,
      fc.integer({ min: 0, max: 19 }),
      fc.integer({ min: 256, max: 0xffff }),
      (id, at, unit) => {
        assert.equal(
          isTrackerId(id.slice(0, at) + String.fromCharCode(unit) + id.slice(at + 1)),
          false,
        );
      },
    ),
  );
});

test('swarm messages from other nodes are parsed like mesh frames', () => {
  const hex = 'ab'.repeat(20);
  assert.ok(parseTrackerSwarmMessage({ t: 'offer', peer: hex, offer: hex, sdp: 'x' }).ok);
  assert.ok(parseTrackerSwarmMessage({ t: 'peer', peer: hex, seed: true }).ok);
  assert.deepEqual(parseTrackerSwarmMessage({ t: 'peer', peer: hex, seed: false, silent: true }), {
    ok: true,
    value: { t: 'peer', peer: hex, seed: false, silent: true },
  });
  assert.ok(parseTrackerSwarmMessage({ t: 'who' }).ok);
  for (const bad of [
    null,
    { t: 'offer', peer: 'zz', offer: hex, sdp: 'x' },
    { t: 'peer', peer: hex },
    { t: 'peer', peer: hex, seed: true, silent: 'yes' },
    { t: 'x' },
  ])
    assert.equal(parseTrackerSwarmMessage(bad).ok, false);
  fc.assert(fc.property(fc.jsonValue(), (value) => void parseTrackerSwarmMessage(value)));
});
