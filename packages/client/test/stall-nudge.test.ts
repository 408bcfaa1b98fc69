import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  nudgeAction,
  nudgeDelayMs,
  STALL_NUDGES,
  type StallState,
} from '../src/peers/stall-nudge.js';

const base: StallState = {
  signalingState: 'stable',
  connectionState: 'new',
  hasRemoteDescription: false,
  makingOffer: false,
  signalsIdle: true,
};

test('a stalled negotiation is nudged by what it lacks', () => {
  assert.equal(nudgeAction({ ...base, signalingState: 'have-local-offer' }), 'resend-offer');
  assert.equal(nudgeAction({ ...base, hasRemoteDescription: true }), 'restart-ice');
  assert.equal(nudgeAction(base), 'offer');
  assert.equal(nudgeAction({ ...base, signalingState: 'have-remote-offer' }), 'wait');
});

test('no nudge while an offer is being made, the connection is up, or signals are still being posted', () => {
  const stalled = { ...base, signalingState: 'have-local-offer' } as const;
  assert.equal(nudgeAction({ ...stalled, makingOffer: true }), 'wait');
  assert.equal(nudgeAction({ ...stalled, connectionState: 'connected' }), 'wait');
  assert.equal(nudgeAction({ ...stalled, signalsIdle: false }), 'wait');
});

test('nudges come 8 s (polite 11 s) after the peer appeared, then twice as long apart each time', () => {
  const impolite = Array.from({ length: STALL_NUDGES + 1 }, (_, i) => nudgeDelayMs(i + 1, false));
  assert.deepEqual(impolite, [8000, 16_000, 32_000, 64_000, 128_000]);
  assert.equal(nudgeDelayMs(1, true), 11_000);
  assert.equal(nudgeDelayMs(2, true), 16_000);
});
