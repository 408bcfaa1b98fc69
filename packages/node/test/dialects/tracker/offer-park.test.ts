import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrackerId } from '@sigmesh/protocol';
import {
  MAX_PARKED_CHARS,
  MAX_PARKED_SDP_CHARS,
  OfferPark,
  type ParkBudget,
} from '../../../src/dialects/tracker/offer-park.js';
import type { ParkedOffer, SwarmPeer } from '../../../src/dialects/tracker/swarm.js';

const peer = { left: false } as SwarmPeer;
const offer = (sdp: string, until = 1000, owner = peer): ParkedOffer => ({
  peer: owner,
  offerId: 'o' as TrackerId,
  sdp,
  until,
  placed: false,
});

test('kept offers are counted against the node-wide budget, replaced, dropped, swept and cleared', () => {
  const budget: ParkBudget = { chars: 0 };
  const a = new OfferPark(budget);
  const b = new OfferPark(budget);
  assert.ok(a.keep('k1', offer('x'.repeat(100)), 64));
  assert.ok(b.keep('k1', offer('y'.repeat(50)), 64));
  assert.equal(budget.chars, 150, 'one budget for every swarm');
  assert.ok(a.keep('k1', offer('x'.repeat(30)), 64), 'replaced');
  assert.equal(budget.chars, 80);
  a.drop('k1');
  a.drop('k1');
  assert.equal(budget.chars, 50, 'dropped once');
  const gone = { left: true } as SwarmPeer;
  assert.ok(b.keep('k2', offer('z', 500), 64));
  assert.ok(b.keep('k3', offer('w', 5000, gone), 64));
  b.sweep(600);
  assert.deepEqual(
    [...b.entries()].map(([key]) => key),
    ['k1'],
    'expired and left swept',
  );
  assert.equal(budget.chars, 50);
  b.clear();
  assert.equal(budget.chars, 0);
  assert.equal(b.size, 0);
});

test('a swarm keeps at most its limit, no offer longer than the cap, nothing past the budget', () => {
  const budget: ParkBudget = { chars: 0 };
  const park = new OfferPark(budget);
  assert.ok(park.keep('a', offer('s'), 2));
  assert.ok(park.keep('b', offer('s'), 2));
  assert.equal(park.keep('c', offer('s'), 2), false, 'the swarm limit');
  assert.ok(park.keep('a', offer('ss'), 2), 'a replacement is not a new entry');
  assert.equal(park.keep('d', offer('s'.repeat(MAX_PARKED_SDP_CHARS + 1)), 64), false, 'too long');
  budget.chars = MAX_PARKED_CHARS - 1;
  assert.equal(park.keep('e', offer('ss'), 64), false, 'over the budget');
  assert.ok(park.keep('f', offer('s'), 64), 'up to it');
  assert.equal(budget.chars, MAX_PARKED_CHARS);
});
