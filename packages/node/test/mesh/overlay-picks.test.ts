import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { nodeDefaults } from '../../src/config/node-options.js';
import { overlayPicks } from '../../src/mesh/overlay-picks.js';
import { seededRandom } from '../helpers/seeded-random.js';

const room = deriveRoomHash('overlay', 'popular');

/** The undirected link graph of a room on `n` nodes, each knowing `known` random others. */
function roomOverlay(
  n: number,
  degree: number,
  known: number,
  seed: number,
  forRoom = room,
  kill = 0,
  /** Discovery finds the `known` nodes one per round (in a random order) instead of all at once. */
  grow = false,
) {
  const random = seededRandom(seed);
  const urls = Array.from({ length: n }, (_, i) => `http://10.${i >> 8}.${i & 255}.1:8080`);
  const found = urls.map((self) => {
    const others = urls.filter((url) => url !== self);
    for (let i = others.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [others[i], others[j]] = [others[j]!, others[i]!];
    }
    return others.slice(0, known);
  });
  const index = new Map(urls.map((url, i) => [url, i]));
  // A link exists while one of its ends picks the other. Nodes choose in turns, seeing the links
  // others opened to them, until nobody changes (or 30 rounds: picks can go round in circles).
  const picks: string[][] = urls.map(() => []);
  const pickedBy = urls.map(() => new Set<string>());
  const dead = new Set<string>();
  const linksOf = (i: number): Set<string> => new Set([...picks[i]!, ...pickedBy[i]!]);
  const settle = (): void => {
    // In a random order each round: who picks first changes what the others find linked.
    for (
      let round = 0, changed = true;
      (changed || (grow && round < known)) && round < 30;
      round++
    ) {
      changed = false;
      const order = urls.map((_, i) => i).sort(() => random() - 0.5);
      for (const i of order) {
        const self = urls[i]!;
        if (dead.has(self)) continue;
        const linked = linksOf(i);
        const seen = grow ? found[i]!.slice(0, round + 1) : found[i]!;
        const next = overlayPicks({
          room: forRoom,
          self,
          seed: `seed-${i}`,
          degree,
          candidates: [...seen, ...linked].filter((url) => !dead.has(url)),
          linked,
        });
        if (next.join() === picks[i]!.join()) continue;
        changed = true;
        for (const url of picks[i]!) pickedBy[index.get(url)!]!.delete(self);
        for (const url of next) pickedBy[index.get(url)!]!.add(self);
        picks[i] = next;
      }
    }
  };
  settle();
  // Kill the best-linked nodes (their links drop at both ends); the others pick again.
  const ranked = urls.map((_, i) => i).sort((a, b) => linksOf(b).size - linksOf(a).size);
  for (const i of ranked.slice(0, kill)) {
    dead.add(urls[i]!);
    for (const url of picks[i]!) pickedBy[index.get(url)!]!.delete(urls[i]!);
    for (const url of pickedBy[i]!)
      picks[index.get(url)!] = picks[index.get(url)!]!.filter((u) => u !== urls[i]);
    picks[i] = [];
    pickedBy[i]!.clear();
  }
  if (kill > 0) settle();
  const links = urls.map((_, i) => linksOf(i));
  const alive = urls.map((_, i) => i).filter((i) => !dead.has(urls[i]!));
  const degrees = alive.map((i) => links[i]!.size);
  let diameter = 0;
  let reached = alive.length;
  for (const start of alive) {
    const depth = new Map([[start, 0]]);
    const queue = [start];
    for (let q = 0; q < queue.length; q++) {
      const at = queue[q]!;
      for (const url of links[at]!) {
        const next = index.get(url)!;
        if (depth.has(next)) continue;
        depth.set(next, depth.get(at)! + 1);
        queue.push(next);
      }
    }
    reached = Math.min(reached, depth.size);
    diameter = Math.max(diameter, ...depth.values());
  }
  const mean = degrees.reduce((a, b) => a + b, 0) / alive.length;
  return { reached, diameter, max: Math.max(...degrees), mean, picks };
}

test('overlay picks: every candidate while there are no more than the degree, never itself', () => {
  const self = 'http://a:1';
  const candidates = ['http://b:1', 'http://c:1', self, 'http://b:1'];
  const picks = overlayPicks({ room, self, seed: 's', degree: 3, candidates, linked: new Set() });
  assert.deepEqual(picks.sort(), ['http://b:1', 'http://c:1']);
});

test('overlay picks: a bounded, stable choice; linked nodes fill the random share first', () => {
  const urls = Array.from({ length: 40 }, (_, i) => `http://n${i}:1`);
  const choose = (linked: string[], seed = 's') =>
    overlayPicks({
      room,
      self: 'http://me:1',
      seed,
      degree: 6,
      candidates: urls,
      linked: new Set(linked),
    });
  const first = choose([]);
  assert.equal(first.length, 6);
  assert.deepEqual(choose([]), first, 'the same inputs give the same picks');
  const near = first.slice(0, 3);
  assert.deepEqual(
    choose([], 'other seed').slice(0, 3),
    near,
    'the ring half does not depend on the seed',
  );
  const inbound = urls.filter((url) => !first.includes(url)).slice(0, 3);
  assert.deepEqual(
    choose(inbound).slice(3).sort(),
    [...inbound].sort(),
    'links others opened are reused',
  );
  const other = deriveRoomHash('overlay', 'another');
  const elsewhere = overlayPicks({
    room: other,
    self: 'http://me:1',
    seed: 's',
    degree: 6,
    candidates: urls,
    linked: new Set(),
  });
  assert.notDeepEqual(elsewhere.slice(0, 3), near, 'each room gets its own overlay');
});

test('overlay of a small room, degree 2: connected for every layout, and again once its 3 best-linked nodes die', () => {
  // Half the picks XOR-nearest paired nodes up, and random picks that reuse links held already
  // could close a group on itself: 8 layouts in 400 split (4/3 after a kill in CI, 2026-12-04),
  // and stayed split. Ring neighbours close a ring whatever the random picks do.
  for (let seed = 1; seed <= 300; seed++) {
    const n = 7 + (seed % 6);
    const layout = deriveRoomHash('overlay', `small room ${seed}`);
    assert.equal(roomOverlay(n, 2, n, seed, layout).reached, n, `${n} nodes, seed ${seed}`);
    assert.equal(roomOverlay(n, 2, n, seed, layout, 3).reached, n - 3, `${n} - 3, seed ${seed}`);
    assert.equal(
      roomOverlay(n, 2, n, seed, layout, 0, true).reached,
      n,
      `${n} nodes found one by one, seed ${seed}`,
    );
  }
});

for (const [n, degree, maxHops] of [
  [12, 2, 5],
  [300, 8, 4],
  [1000, 8, 5],
] as const) {
  test(`overlay of a room on ${n} nodes, degree ${degree}: connected, at most ${maxHops} hops across, links bounded`, (t) => {
    for (const seed of [1, 2, 3]) {
      const overlay = roomOverlay(n, degree, 32, seed);
      assert.equal(overlay.reached, n, 'every node reaches every other');
      assert.ok(overlay.diameter <= maxHops, `diameter ${overlay.diameter}`);
      assert.ok(overlay.diameter <= nodeDefaults.meshHopLimit + 1, 'the hop limit covers it');
      assert.ok(overlay.picks.every((p) => p.length <= degree));
      assert.ok(overlay.max <= nodeDefaults.meshMaxLinks, `max links ${overlay.max}`);
      assert.ok(overlay.mean <= 2 * degree, `mean links ${overlay.mean}`);
      t.diagnostic(
        `n=${n} d=${degree} seed=${seed}: diameter ${overlay.diameter}, links mean ${overlay.mean.toFixed(1)} max ${overlay.max}`,
      );
    }
  });
}
