import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerSignal } from '@sigmesh/protocol';
import { SignalBatcher } from '../src/peers/signal-batcher.js';

const offer = (sdp: string): PeerSignal => ({ type: 'offer', sdp });
const candidate = (line: string): PeerSignal => ({
  type: 'candidate',
  candidate: { candidate: line, sdpMid: '0', sdpMLineIndex: 0 },
});
const types = (batch: readonly PeerSignal[]): string[] =>
  batch.map((s) => (s.type === 'candidate' ? `c:${s.candidate?.candidate}` : `${s.type}:${s.sdp}`));
const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A flush that records each batch and resolves only when the test says so. */
function slowFlush(): {
  batches: string[][];
  finish: () => void;
  flush: (batch: readonly PeerSignal[]) => Promise<void>;
} {
  const batches: string[][] = [];
  const pending: Array<() => void> = [];
  return {
    batches,
    finish: () => pending.shift()?.(),
    flush: (batch) => {
      batches.push(types(batch));
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  };
}

test('signals pushed while a post is on its way leave together in the next one, in order', async () => {
  const slow = slowFlush();
  const batcher = new SignalBatcher(slow.flush, (error) => assert.fail(String(error)));
  batcher.push(offer('one'));
  await tick();
  assert.deepEqual(slow.batches, [['offer:one']]);
  assert.equal(batcher.idle, false, 'a post on its way is not idle');

  batcher.push(candidate('a'));
  await tick();
  batcher.push(candidate('b'));
  await tick();
  batcher.push(offer('two'));
  await tick();
  assert.equal(slow.batches.length, 1, 'nothing more is posted while the first is on its way');

  slow.finish();
  await tick();
  assert.deepEqual(slow.batches[1], ['c:a', 'c:b', 'offer:two']);
  slow.finish();
  await tick();
  assert.equal(batcher.idle, true);
});

test('a description already waiting is not queued twice; a different one is', async () => {
  const slow = slowFlush();
  const batcher = new SignalBatcher(slow.flush, (error) => assert.fail(String(error)));
  batcher.push(offer('first'));
  await tick();
  batcher.push(offer('again'));
  batcher.push(offer('again'));
  batcher.push(candidate('x'));
  batcher.push(offer('again'));
  batcher.push({ type: 'answer', sdp: 'again' });
  slow.finish();
  await tick();
  assert.deepEqual(slow.batches[1], ['offer:again', 'c:x', 'answer:again']);
  slow.finish();
});

test('a failed post is reported and the signals behind it still go out', async () => {
  const errors: unknown[] = [];
  const batches: string[][] = [];
  let fail = true;
  const batcher = new SignalBatcher(
    async (batch) => {
      batches.push(types(batch));
      if (fail) {
        fail = false;
        throw new Error('no route');
      }
    },
    (error) => errors.push(error),
  );
  batcher.push(offer('lost'));
  batcher.push(candidate('y'));
  await tick();
  batcher.push(candidate('z'));
  await tick();
  assert.deepEqual(batches, [['offer:lost', 'c:y'], ['c:z']]);
  assert.equal((errors[0] as Error).message, 'no route');
  assert.equal(batcher.idle, true);
});

test('more signals than one payload may hold are split across posts', async () => {
  const batches: string[][] = [];
  const batcher = new SignalBatcher(
    async (batch) => void batches.push(types(batch)),
    (error) => assert.fail(String(error)),
  );
  for (let i = 0; i < 70; i++) batcher.push(candidate(String(i)));
  await tick(50);
  assert.deepEqual(
    batches.map((batch) => batch.length),
    [64, 6],
  );
});

test('close drops what waits, and nothing is posted after it', async () => {
  const slow = slowFlush();
  const batcher = new SignalBatcher(slow.flush, (error) => assert.fail(String(error)));
  batcher.push(offer('one'));
  await tick();
  batcher.push(candidate('late'));
  batcher.close();
  slow.finish();
  await tick();
  batcher.push(candidate('after'));
  await tick();
  assert.deepEqual(slow.batches, [['offer:one']]);
});
