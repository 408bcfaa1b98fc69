/**
 * A caller rings again until it hears an answer, so the callee keeps what it answered and sends it
 * again to a ring heard well after the answer went out — not to rings that crossed it in flight,
 * and not without end.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboxMessage } from '@sigmesh/protocol';
import { AnswerLog } from '../../src/people/answer-log.js';
import type { InboxChannel } from '../../src/people/inbox-channel.js';

function inbox(): InboxChannel & { posted: [unknown, unknown][] } {
  const posted: [unknown, unknown][] = [];
  return {
    posted,
    post: async (message: unknown, to: unknown) => void posted.push([message, to]),
  } as never;
}

const decline = (call: string): InboxMessage => ({
  v: 1,
  kind: 'decline',
  from: 'bob',
  at: 0,
  call,
  sig: 'x',
});

test('a ring heard again after the spacing gets the same answer, to the member that rang this time', async () => {
  const log = new AnswerLog({ keepMs: 40_000, spacingMs: 2000 });
  const channel = inbox();
  log.record('alice/c1', decline('c1'), 1000);
  assert.equal(
    await log.again('alice/c1', channel, 'm1' as never, 1500),
    false,
    'crossed in flight',
  );
  assert.equal(await log.again('alice/c2', channel, 'm1' as never, 5000), false, 'never answered');
  assert.equal(await log.again('alice/c1', channel, 'm2' as never, 3000), true);
  assert.deepEqual(channel.posted, [[decline('c1'), 'm2']]);
  // The spacing counts from the last time it went.
  assert.equal(await log.again('alice/c1', channel, 'm2' as never, 4000), false);
  assert.equal(await log.again('alice/c1', channel, 'm2' as never, 5000), true);
});

test('an answer goes again five times at most, and is forgotten after keepMs', async () => {
  const log = new AnswerLog({ keepMs: 40_000, spacingMs: 2000 });
  const channel = inbox();
  log.record('alice/c1', decline('c1'), 0);
  const sent = [];
  for (let now = 2000; now <= 20_000; now += 2000)
    sent.push(await log.again('alice/c1', channel, 'm' as never, now));
  assert.deepEqual(sent, [true, true, true, true, true, false, false, false, false, false]);
  log.record('alice/c2', decline('c2'), 30_000);
  assert.equal(await log.again('alice/c2', channel, 'm' as never, 70_001), false, 'forgotten');
  assert.equal(log.size, 0);
});

test('at most 64 answers are kept; the oldest goes first', async () => {
  const log = new AnswerLog({ keepMs: 40_000, spacingMs: 2000 });
  const channel = inbox();
  for (let i = 0; i < 70; i++) log.record(`alice/c${i}`, decline(`c${i}`), 1000 + i);
  assert.equal(log.size, 64);
  assert.equal(await log.again('alice/c5', channel, 'm' as never, 5000), false);
  assert.equal(await log.again('alice/c6', channel, 'm' as never, 5000), true);
  assert.equal(await log.again('alice/c69', channel, 'm' as never, 5000), true);
});
