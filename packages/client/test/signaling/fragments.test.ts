import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FragmentPayload } from '@sigmesh/protocol';
import { FragmentAssembler, splitPayload } from '../../src/signaling/fragments.js';

/** The parts of a payload of `chars` characters split for 512-byte posts, under fragment id `frag`. */
function parts(chars: number, frag = '0000abcd'): FragmentPayload[] {
  const split = splitPayload(JSON.stringify({ x: 'y'.repeat(chars) }), 512) as FragmentPayload[];
  return split.map((part) => ({ ...part, frag }));
}

test('many invented senders stay bounded, and an honest sender still completes', () => {
  const assembler = new FragmentAssembler({ maxSenders: 16 });
  const [first] = parts(3000);
  for (let i = 0; i < 10_000; i++) assembler.add(`invented ${i}`, first!);
  assert.equal(assembler.stats().senders, 16);
  assert.equal(assembler.stats().partials, 16);
  let whole: string | undefined;
  for (const part of parts(3000)) whole = assembler.add('honest', part) ?? whole;
  assert.ok(whole !== undefined, 'the honest payload completes');
  assert.equal(assembler.stats().senders, 15, 'and is released once complete');
});

test('buffered characters are bounded across senders', () => {
  const assembler = new FragmentAssembler({ maxBufferedChars: 10_000 });
  for (let i = 0; i < 100; i++) {
    const all = parts(3000);
    // Everything but the last part: each sender leaves its payload half done.
    for (const part of all.slice(0, -1)) assembler.add(`sender ${i}`, part);
    assert.ok(assembler.stats().chars <= 10_000, `${assembler.stats().chars} characters`);
  }
});

test('expired partial payloads are released without their sender sending again', () => {
  const clock = { now: 0 };
  const assembler = new FragmentAssembler({ ttlMs: 30_000, now: () => clock.now });
  const [a] = parts(3000);
  assembler.add('quiet', a!);
  assembler.add('quiet', { ...a!, frag: '00000002' }, 'member');
  assert.equal(assembler.stats().partials, 2);
  clock.now = 30_000;
  // Any other input expires them…
  assembler.add('chatty', a!);
  assert.deepEqual(assembler.stats(), { senders: 1, partials: 1, chars: a!.part.length });
  // …and so does a sweep with no input at all.
  clock.now = 60_000;
  assembler.sweep();
  assert.deepEqual(assembler.stats(), { senders: 0, partials: 0, chars: 0 });
});

test("forget drops a sender's partial payloads to every addressee", () => {
  const assembler = new FragmentAssembler();
  const [a] = parts(3000);
  assembler.add('leaver', a!);
  assembler.add('leaver', a!, 'our member on node 1');
  assembler.add('leaver', a!, 'our member on node 2');
  assembler.add('stayer', a!);
  assert.equal(assembler.stats().partials, 4);
  assembler.forget('leaver');
  assert.deepEqual(assembler.stats(), { senders: 1, partials: 1, chars: a!.part.length });
});

test('parts addressed differently never mix, even under one fragment id', () => {
  const assembler = new FragmentAssembler();
  const all = parts(3000);
  const [head, ...rest] = all;
  assembler.add('s', head!, 'member 1');
  let whole: string | undefined;
  for (const part of rest) whole = assembler.add('s', part, 'member 2') ?? whole;
  assert.equal(whole, undefined);
  for (const part of rest) whole = assembler.add('s', part, 'member 1') ?? whole;
  assert.ok(whole !== undefined);
});
