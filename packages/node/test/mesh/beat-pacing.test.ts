import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_PACED_BEAT_MS, pacedBeatMs } from '../../src/mesh/presence/beat-pacing.js';

const pacing = { baseMs: 1000, roomBeatsPerSecond: 100 };

test('rooms of up to roomBeatsPerSecond nodes beat at the base interval, as without pacing', () => {
  for (const span of [1, 2, 50, 100]) assert.equal(pacedBeatMs(span, 1000, pacing), 1000);
  // Off: the base interval whatever the span.
  assert.equal(pacedBeatMs(5000, 1000, { baseMs: 1000, roomBeatsPerSecond: 0 }), 1000);
});

test('a larger span beats at the base times the power of two that holds it to the budget', () => {
  assert.equal(pacedBeatMs(101, 1000, pacing), 2000);
  assert.equal(pacedBeatMs(200, 1000, pacing), 2000);
  assert.equal(pacedBeatMs(201, 1000, pacing), 4000);
  assert.equal(pacedBeatMs(1000, 1000, pacing), 16_000);
  // What each node of the room checks stays within the budget: span / interval ≤ 100 per second.
  for (const span of [150, 300, 700, 1000, 3000]) {
    const ms = pacedBeatMs(span, 1000, pacing);
    assert.ok(span / (ms / 1000) <= 100 || ms === MAX_PACED_BEAT_MS, `span ${span}: ${ms} ms`);
  }
  assert.equal(pacedBeatMs(1_000_000, 1000, pacing), MAX_PACED_BEAT_MS);
  // A base above the ceiling is never lowered.
  assert.equal(pacedBeatMs(1_000_000, 60_000, { baseMs: 60_000, roomBeatsPerSecond: 1 }), 60_000);
});

test('the interval comes down only once the span is half the lower level threshold', () => {
  // At 8 s (span was 401–800): a span of 350 or 201 keeps it; 200 (half of 400) brings it to 2 s.
  assert.equal(pacedBeatMs(350, 8000, pacing), 8000);
  assert.equal(pacedBeatMs(201, 8000, pacing), 8000);
  assert.equal(pacedBeatMs(200, 8000, pacing), 2000);
  assert.equal(pacedBeatMs(3, 8000, pacing), 1000);
  // Up at once.
  assert.equal(pacedBeatMs(801, 8000, pacing), 16_000);
});
