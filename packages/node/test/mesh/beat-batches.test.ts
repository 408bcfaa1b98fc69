import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MESH_MAX_OWNERS_PER_FRAME, type Beat, type MeshFrame } from '@sigmesh/protocol';
import { BeatBatches, beatHoldMs } from '../../src/mesh/beat-batches.js';
import { chainKey, type MeshLink } from '../../src/mesh/mesh-link.js';

interface FakeLink {
  state: 'open' | 'closed';
  readonly withdrawn: Set<string>;
  readonly anchorsSent: Map<string, string>;
  readonly frames: MeshFrame[];
  send(frame: MeshFrame): void;
}

function fakeLink(): FakeLink & MeshLink {
  const link: FakeLink = {
    state: 'open',
    withdrawn: new Set(),
    anchorsSent: new Map(),
    frames: [],
    send(frame) {
      this.frames.push(frame);
    },
  };
  return link as unknown as FakeLink & MeshLink;
}

function beat(owner: string, i: number, chain = 1): Beat {
  return { owner, epoch: 'e', chain, i, h: `h${i}` };
}

/** A link that follows these owners' chain 1 through us. */
function following(link: FakeLink, ...owners: string[]): void {
  for (const owner of owners) link.anchorsSent.set(owner, chainKey(beat(owner, 0)));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('beat batches: beats of several owners held for a link leave together, in one frame, after the window', async () => {
  const batches = new BeatBatches(40);
  const link = fakeLink();
  following(link, 'a', 'b', 'c');
  batches.add(link, beat('a', 1));
  batches.add(link, beat('b', 7));
  batches.add(link, beat('c', 3));
  assert.deepEqual(link.frames, [], 'nothing leaves before the window ends');
  await sleep(80);
  assert.deepEqual(link.frames, [
    { t: 'beats', beats: [beat('a', 1), beat('b', 7), beat('c', 3)] },
  ]);
  batches.stop();
});

test('beat batches: our own beat takes what is held for its link; nothing is sent twice', async () => {
  const batches = new BeatBatches(40);
  const [one, two] = [fakeLink(), fakeLink()];
  following(one, 'a');
  following(two, 'a');
  batches.add(one, beat('a', 1));
  batches.add(two, beat('a', 1));
  batches.send(one, beat('self', 9));
  assert.deepEqual(one.frames, [{ t: 'beats', beats: [beat('self', 9), beat('a', 1)] }]);
  await sleep(80);
  assert.equal(
    one.frames.length,
    1,
    'the window sends nothing more to the link that had its batch',
  );
  assert.deepEqual(two.frames, [{ t: 'beats', beats: [beat('a', 1)] }]);
  batches.stop();
});

test('beat batches: only the newest beat of an owner is kept; beats a link no longer follows are dropped', () => {
  const batches = new BeatBatches(1_000);
  const link = fakeLink();
  following(link, 'a', 'b', 'c', 'd');
  batches.add(link, beat('a', 4));
  batches.add(link, beat('a', 3)); // older: ignored
  batches.add(link, beat('a', 5));
  batches.add(link, beat('b', 1));
  batches.add(link, beat('c', 1));
  batches.add(link, beat('d', 1));
  link.anchorsSent.set('b', chainKey(beat('b', 0, 2))); // sent a newer chain's anchor since
  link.withdrawn.add('c'); // told the owner is gone since
  batches.flush();
  assert.deepEqual(link.frames, [{ t: 'beats', beats: [beat('a', 5), beat('d', 1)] }]);

  const closed = fakeLink();
  following(closed, 'a');
  batches.add(closed, beat('a', 6));
  closed.state = 'closed';
  batches.flush();
  assert.deepEqual(closed.frames, [], 'a closed link gets nothing');
  batches.stop();
});

test('beat batches: a batch larger than a frame holds is split at MESH_MAX_OWNERS_PER_FRAME', () => {
  const batches = new BeatBatches(1_000);
  const link = fakeLink();
  const owners = Array.from({ length: MESH_MAX_OWNERS_PER_FRAME + 3 }, (_, i) => `o${i}`);
  following(link, ...owners);
  for (const owner of owners) batches.add(link, beat(owner, 1));
  batches.send(link, beat('self', 1));
  assert.deepEqual(
    link.frames.map((frame) => (frame.t === 'beats' ? frame.beats.length : -1)),
    [MESH_MAX_OWNERS_PER_FRAME, 4],
  );
  batches.stop();
});

test('beat batches: a hold of 0 sends each beat at once', () => {
  const batches = new BeatBatches(0);
  const link = fakeLink();
  following(link, 'a');
  batches.add(link, beat('a', 1));
  assert.deepEqual(link.frames, [{ t: 'beats', beats: [beat('a', 1)] }]);
});

test('beat batches: the hold is a tenth of the beat interval, at most 100 ms', () => {
  assert.equal(beatHoldMs(1_000), 100);
  assert.equal(beatHoldMs(5_000), 100);
  assert.equal(beatHoldMs(200), 20);
});
