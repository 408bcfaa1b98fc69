// What a paid room post's proof-of-work costs the node's CPU, without HTTP: the PoW gate of
// the built node (`packages/node/dist`, what `sigmesh start` runs) checks a token and offers the
// next challenge, as `postToRoom` does for every post, in one process. The puzzle is priced at 1
// (every counter solves it) so the tokens cost nothing to make; the node's work per check is the
// same at any price: decoding the token, the MAC, the time window, the scope tag, the price, one
// puzzle hash, the replay set and the pricing record, then the next challenge.
//
//   npm run build && node --import tsx bench/pow-gate.ts [--posts 200000] [--rounds 7] [--name SECTION]
//
// Rounds alternate with nothing else; the figure is CPU time (user + system) per post, median
// of the rounds. Compare two commits by running this file from each tree, one after the other.
import { hrtime } from 'node:process';
import { deriveRoomHash, type PowScope } from '@sigmesh/protocol';
import { nodeDefaults } from '../packages/node/dist/index.js';
import { PowGate } from '../packages/node/dist/pow/pow-gate.js';
import { PowPricing, type Payer } from '../packages/node/dist/pow/pow-pricing.js';
import { ReplaySet } from '../packages/node/dist/pow/replay-set.js';
import { UnpaidLimiter } from '../packages/node/dist/pow/unpaid-limiter.js';
import { argument, median, round, saveResults } from './lib/bench-report.js';

const posts = Number(argument('posts', '200000'));
const rounds = Number(argument('rounds', '7'));
const sectionName = argument('name', 'powGate');
const room = deriveRoomHash('sigmesh-bench', 'pow-gate');
const body = Buffer.from(JSON.stringify({ data: { kind: 'bench', text: 'x'.repeat(96) } }));
const scope: PowScope = 'room-post';
const payer: Payer = { address: '127.0.0.1', member: 'ab'.repeat(16) };

/** A gate as the node builds it, priced at 1 whatever the count, its replay set big enough. */
function makeGate(): PowGate {
  const now = () => Date.now();
  const config = {
    ...nodeDefaults,
    powBaseDifficulty: 1,
    powFreeMessages: Number.MAX_SAFE_INTEGER,
    powAddressFreeMessages: Number.MAX_SAFE_INTEGER,
  };
  const pricing = new PowPricing(config, { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) }, now);
  return new PowGate({
    secret: new Uint8Array(32).fill(7),
    ttlSeconds: config.powTtlSeconds,
    pricing,
    replay: new ReplaySet({ generationMs: 600_000, maxPerGeneration: posts * 2, now }),
    unpaid: new UnpaidLimiter({ perSecond: 1, burst: 1, maxClients: 10, now }),
    priceTolerance: config.powPriceTolerance,
    now,
  });
}

interface Round {
  readonly cpuNanosPerPost: number;
  readonly wallNanosPerPost: number;
}

function runRound(): Round {
  const gate = makeGate();
  // Counter 0 solves a challenge priced at 1; the offers made here are the node's own.
  const tokens = Array.from({ length: posts }, () => `${gate.offer(scope, payer).challenge}.0`);
  const cpu = process.cpuUsage();
  const started = hrtime.bigint();
  for (const token of tokens) {
    gate.check(token, scope, payer, body, room);
    gate.offer(scope, payer);
  }
  const wall = Number(hrtime.bigint() - started);
  const used = process.cpuUsage(cpu);
  return {
    cpuNanosPerPost: round(((used.user + used.system) * 1000) / posts, 1),
    wallNanosPerPost: round(wall / posts, 1),
  };
}

runRound(); // warm-up: the JIT's first pass
const results: Round[] = [];
for (let i = 0; i < rounds; i++) {
  const result = runRound();
  results.push(result);
  console.log(
    `  round ${i}: ${result.cpuNanosPerPost} ns of CPU per post (wall ${result.wallNanosPerPost})`,
  );
}
const cpuNanosPerPost = median(results.map((r) => r.cpuNanosPerPost));
console.log(`median: ${cpuNanosPerPost} ns of CPU per post (check + next offer)`);
console.log(`results: ${saveResults(sectionName, { posts, rounds: results, cpuNanosPerPost })}`);
