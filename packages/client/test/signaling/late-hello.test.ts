import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { PeerId } from '@sigmesh/protocol';
import { LateHello } from '../../src/signaling/late-hello.js';

const a = 'a'.repeat(32) as PeerId;
const b = 'b'.repeat(32) as PeerId;
const c = 'c'.repeat(32) as PeerId;

function setUp() {
  mock.timers.enable({ apis: ['setTimeout'] });
  const known = new Set<PeerId>();
  const greeted: PeerId[] = [];
  let stopped = false;
  const late = new LateHello({
    delayMs: 50,
    known: (member) => known.has(member),
    greet: (member) => greeted.push(member),
    stopped: () => stopped,
  });
  return { late, known, greeted, stop: () => (stopped = true) };
}

test('a member that joined and said nothing within the delay is greeted, once', (t) => {
  t.after(() => mock.timers.reset());
  const { late, greeted } = setUp();
  late.joined(a);
  mock.timers.tick(49);
  assert.deepEqual(greeted, []);
  mock.timers.tick(1);
  assert.deepEqual(greeted, [a]);
  assert.ok(late.greeted(a), 'its hello back needs no reply');
  late.joined(a);
  mock.timers.tick(50);
  assert.deepEqual(greeted, [a], 'not twice');
});

test('no greeting for a member heard from, placed, or after stop; leaving forgets it', (t) => {
  t.after(() => mock.timers.reset());
  const { late, known, greeted, stop } = setUp();
  late.joined(a);
  late.heard(a);
  late.joined(b);
  known.add(b);
  mock.timers.tick(50);
  assert.deepEqual(greeted, []);
  late.forget(a);
  late.joined(a);
  mock.timers.tick(50);
  assert.deepEqual(greeted, [a], 'a member that left and came back is new again');
  late.joined(c);
  stop();
  mock.timers.tick(50);
  assert.deepEqual(greeted, [a]);
});
