import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { PeerId } from '@sigmesh/protocol';
import { PresenceLog } from '../../src/rooms/presence-log.js';

const peer = (n: number): PeerId => n.toString(16).padStart(32, '0') as PeerId;

test('the net change from any cursor, applied to the view at that cursor, gives the view now', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { maxLength: 60 }),
      fc.nat(),
      (changes, at) => {
        const log = new PresenceLog(1000);
        const views: Array<Set<PeerId>> = [new Set()];
        const view = new Set<PeerId>();
        for (const [n, joined] of changes) {
          // Only real changes are logged (a registry never logs a join of someone present).
          if (joined === view.has(peer(n))) continue;
          log.append(peer(n), joined);
          if (joined) view.add(peer(n));
          else view.delete(peer(n));
          views.push(new Set(view));
        }
        const cursor = at % views.length;
        const delta = log.since(cursor)!;
        const rebuilt = new Set(views[cursor]);
        for (const p of delta.leave)
          assert.ok(rebuilt.delete(p), 'a leave of someone present then');
        for (const p of delta.join) {
          assert.ok(!rebuilt.has(p), 'a join of someone absent then');
          rebuilt.add(p);
        }
        assert.deepEqual(rebuilt, view);
      },
    ),
  );
});

test('the log keeps what cursors need, at most its capacity; older cursors get undefined', () => {
  const log = new PresenceLog(4);
  for (let i = 0; i < 6; i++) log.append(peer(i), true);
  assert.equal(log.size, 4);
  assert.equal(log.head, 6);
  assert.equal(log.since(1), undefined, 'past the capacity');
  assert.deepEqual(log.since(2)?.join, [peer(2), peer(3), peer(4), peer(5)]);
  log.trim(5);
  assert.equal(log.size, 1);
  assert.deepEqual(log.since(5)?.join, [peer(5)]);
  assert.deepEqual(log.since(6), { join: [], leave: [] });
});
