// The mesh's flood-dedupe set (packages/node/src/mesh/seen-ids.ts) under steady traffic: µs per
// add() while it fills, then once it is full and evicts its oldest id on every add, against a
// ring-buffer eviction of the same capacity. Every post a node publishes and every frame it
// receives over a link goes through add().
//
//   node --conditions=source --import tsx bench/mesh/seen-ids-micro.ts [--capacity 100000] [--batches 8]
import { hrtime } from 'node:process';
import { randomBytes } from 'node:crypto';
import { SeenIds } from '../../packages/node/src/mesh/seen-ids.js';
import { argument, round } from '../lib/bench-report.js';
import { saveMeshResults } from './mesh-results.js';

const capacity = Number(argument('capacity', '100000'));
const batches = Number(argument('batches', '8'));
const batchSize = Math.max(1000, Math.floor(capacity / 2));

/** The alternative: a Set for lookups plus a ring of ids for O(1) eviction of the oldest. */
class RingSeenIds {
  readonly #ids = new Set<string>();
  readonly #ring: (string | undefined)[];
  #head = 0;

  constructor(size: number) {
    this.#ring = new Array<string | undefined>(size).fill(undefined);
  }

  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    const oldest = this.#ring[this.#head];
    if (oldest !== undefined) this.#ids.delete(oldest);
    this.#ring[this.#head] = id;
    this.#head = (this.#head + 1) % this.#ring.length;
    this.#ids.add(id);
    return true;
  }
}

// Ids like the node's (16 random bytes, hex), made before timing.
const ids = Array.from({ length: capacity + batches * batchSize }, () =>
  randomBytes(16).toString('hex'),
);

function run(set: { add(id: string): boolean }): number[] {
  const perBatch: number[] = [];
  let next = 0;
  for (let batch = 0; batch <= batches; batch++) {
    const count = batch === 0 ? capacity : batchSize;
    const started = hrtime.bigint();
    for (let i = 0; i < count; i++) set.add(ids[next++]!);
    perBatch.push(round(Number(hrtime.bigint() - started) / 1e3 / count, 2));
  }
  return perBatch;
}

const seenIds = run(new SeenIds(capacity));
const ring = run(new RingSeenIds(capacity));
process.stdout.write(
  `µs per add: first ${capacity} (filling), then ${batches} × ${batchSize} while full\n  SeenIds (Set, evict via values().next()): ${seenIds.join(' ')}\n  ring-buffer eviction:                     ${ring.join(' ')}\n`,
);
const file = saveMeshResults('seenIds', {
  method: `SeenIds(${capacity}) from packages/node/src/mesh/seen-ids.ts vs a Set + ring buffer of the same capacity; random 32-hex-char ids made before timing; µs per add() for the fill (first entry) and for ${batches} batches of ${batchSize} once full`,
  capacity,
  microsPerAdd: { seenIds, ringBuffer: ring },
});
process.stdout.write(`results → ${file}\n`);
