// What checking one Nostr event costs with each library, in one process, rounds interleaved
// (each round runs every library once over the same events, in a rotating order), medians of
// wall and CPU µs per event. nostr-wasm is what the node uses (dialects/nostr/event-verifier.ts).
//   node --conditions=source --import tsx bench/nostr/verify-cost.ts [--events 300] [--rounds 9]
import { createHash } from 'node:crypto';
import { schnorr as nobleCurves } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as secp from '@noble/secp256k1';
import { initNostrWasm } from 'nostr-wasm';
import { nostrEventHashInput, type NostrEvent } from '@sigmesh/protocol';
import { argument, median, saveResults } from '../lib/bench-report.js';
import { signedEvents } from './signed-events.js';

secp.hashes.sha256 = sha256;
const count = Number(argument('events', '300'));
const rounds = Number(argument('rounds', '9'));
const events = await signedEvents(count, 'bench-topic', 'verify');
const wasm = await initNostrWasm();
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

const libraries: Record<string, (event: NostrEvent) => boolean> = {
  'nostr-wasm 0.1.0 verifyEvent (id + signature)': (event) => {
    try {
      wasm.verifyEvent(event as Parameters<typeof wasm.verifyEvent>[0]);
      return true;
    } catch {
      return false;
    }
  },
  '@noble/curves 2.4.0 schnorr.verify': (event) =>
    nobleCurves.verify(bytes(event.sig), bytes(event.id), bytes(event.pubkey)),
  '@noble/secp256k1 3.2.0 schnorr.verify (what Trystero signs with)': (event) =>
    secp.schnorr.verify(bytes(event.sig), bytes(event.id), bytes(event.pubkey)),
  'node:crypto SHA-256 of the id input (the id check)': (event) =>
    createHash('sha256').update(nostrEventHashInput(event)).digest('hex') === event.id,
};
const names = Object.keys(libraries);
const samples = new Map<string, { wallUs: number[]; cpuUs: number[] }>(
  names.map((name) => [name, { wallUs: [], cpuUs: [] }]),
);
// One untimed warm-up each (JIT, noble's precomputed tables).
for (const name of names) for (const event of events.slice(0, 20)) libraries[name]!(event);
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(round + k) % names.length]!;
    const check = libraries[name]!;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    let valid = 0;
    for (const event of events) if (check(event)) valid++;
    const wall = Number(process.hrtime.bigint() - start) / 1000;
    const used = process.cpuUsage(cpu);
    if (valid !== events.length)
      throw new Error(`${name}: ${events.length - valid} events did not verify`);
    samples.get(name)!.wallUs.push(wall / events.length);
    samples.get(name)!.cpuUs.push((used.user + used.system) / events.length);
  }
}
const results = Object.fromEntries(
  names.map((name) => {
    const { wallUs, cpuUs } = samples.get(name)!;
    return [name, { wallUsPerEvent: median(wallUs), cpuUsPerEvent: median(cpuUs), wallUs, cpuUs }];
  }),
);
for (const [name, { wallUsPerEvent, cpuUsPerEvent }] of Object.entries(results))
  process.stdout.write(
    `${name}: ${wallUsPerEvent.toFixed(1)} µs wall, ${cpuUsPerEvent.toFixed(1)} µs CPU per event\n`,
  );
const file = saveResults('verifyCost', { events: count, rounds, results }, 'nostr');
process.stdout.write(`saved to ${file}\n`);
