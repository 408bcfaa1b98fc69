import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FollowUpLookups } from '../../src/discovery/follow-up-lookups.js';

test('follow-up lookups: one as soon as the join’s own refresh is done, then on the timers', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const followUps = new FollowUpLookups();
  const times: string[] = [];
  let joined!: () => void;
  followUps.schedule('room', new Promise<void>((resolve) => (joined = resolve)), () =>
    times.push('lookup'),
  );
  await Promise.resolve();
  assert.deepEqual(times, [], 'nothing before the join’s refresh settles');
  joined();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(times, ['lookup'], 'one lookup once our announce has landed');
  for (const ms of [1_000, 1_000, 2_000, 4_000]) t.mock.timers.tick(ms);
  assert.equal(times.length, 5, 'and at 1, 2, 4 and 8 s');
  t.mock.timers.tick(60_000);
  assert.equal(times.length, 5, 'no more');
  followUps.clear();
});

test('follow-up lookups: a room left (or rescheduled) before its join’s refresh settles is not looked up', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const followUps = new FollowUpLookups();
  let calls = 0;
  let joined!: () => void;
  followUps.schedule('room', new Promise<void>((resolve) => (joined = resolve)), () => calls++);
  followUps.cancel('room');
  joined();
  await new Promise((resolve) => setImmediate(resolve));
  t.mock.timers.tick(10_000);
  assert.equal(calls, 0, 'left: no lookup at all');

  let first!: () => void;
  followUps.schedule('again', new Promise<void>((resolve) => (first = resolve)), () => calls++);
  followUps.schedule('again', new Promise<void>(() => undefined), () => calls++);
  first();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls, 0, 'the replaced schedule’s join settling runs nothing');
  followUps.clear();
});
