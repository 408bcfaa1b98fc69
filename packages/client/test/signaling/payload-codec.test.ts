import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import type { ClientId, PeerId, RoomPayload } from '@sigmesh/protocol';
import { PayloadCodec, type OpenedPayload } from '../../src/signaling/payload-codec.js';
import { RoomKey } from '../../src/signaling/room-key.js';

const ROOM = 'a'.repeat(40);
const ALICE = 'b'.repeat(32) as PeerId;
const BOB = 'c'.repeat(32) as PeerId;
const WINDOW = 120_000;
const T0 = 1_700_000_000_000;

let key: RoomKey;
before(async () => {
  key = await RoomKey.derive('pw', 'app', 'room');
});

function signal(text: string): RoomPayload {
  return {
    v: 1,
    kind: 'signal',
    id: 'd'.repeat(32) as ClientId,
    signals: [{ type: 'offer', sdp: text }],
  };
}

/** A codec whose clock is `clock.now`. */
function codec(clock: { now: number }, options: { replayCacheSize?: number } = {}): PayloadCodec {
  return new PayloadCodec(ROOM, key, { now: () => clock.now, replayWindowMs: WINDOW, ...options });
}

function opened(result: OpenedPayload): RoomPayload | undefined {
  return result !== undefined && 'payload' in result ? result.payload : undefined;
}

async function deliver(
  receiver: PayloadCodec,
  parts: readonly unknown[],
  to: PeerId | undefined = BOB,
): Promise<OpenedPayload> {
  let last: OpenedPayload;
  for (const part of parts) last = await receiver.decode(ALICE, to, part);
  return last;
}

test('a sealed box re-posted under a new message id is refused as a replay', async () => {
  const clock = { now: T0 };
  const [sender, receiver] = [codec(clock), codec(clock)];
  const parts = await sender.encode(signal('v=0'), ALICE, BOB, 1024);
  assert.equal(parts.length, 1);
  assert.deepEqual(opened(await deliver(receiver, parts)), signal('v=0'));
  // The relay posts the same data again: the node gives it a new message id, so only the codec
  // can tell it is a copy.
  clock.now += 1000;
  assert.deepEqual(await deliver(receiver, parts), { refused: 'replayed' });
  assert.equal(receiver.stats().refused.replayed, 1);
  // Split payloads too: the reassembled box is the same box.
  const big = signal('x'.repeat(5000));
  const fragments = await sender.encode(big, ALICE, BOB, 512);
  assert.ok(fragments.length > 1);
  assert.deepEqual(opened(await deliver(receiver, fragments)), big);
  assert.deepEqual(await deliver(receiver, fragments), { refused: 'replayed' });
  assert.equal(receiver.stats().refused.replayed, 2);
});

test('a box older than the window is refused; a fresh one still opens', async () => {
  const clock = { now: T0 };
  const [sender, receiver] = [codec({ now: T0 }), codec(clock)];
  const stale = await sender.encode(signal('old'), ALICE, BOB, 1024);
  const fresh = await sender.encode(signal('new'), ALICE, BOB, 1024);
  clock.now = T0 + WINDOW + 1;
  assert.deepEqual(await deliver(receiver, stale), { refused: 'stale' });
  assert.equal(receiver.stats().refused.stale, 1);
  clock.now = T0 + WINDOW;
  assert.deepEqual(opened(await deliver(receiver, fresh)), signal('new'));
});

test('clocks skewed either way within the window still open; beyond it they do not', async () => {
  const receiver = codec({ now: T0 });
  for (const skew of [-WINDOW, -90_000, -1, 0, 1, 90_000, WINDOW]) {
    const sender = codec({ now: T0 + skew });
    const parts = await sender.encode(signal(`skew ${skew}`), ALICE, BOB, 1024);
    assert.deepEqual(opened(await deliver(receiver, parts)), signal(`skew ${skew}`), `${skew}`);
  }
  for (const skew of [-WINDOW - 1, WINDOW + 1, 3 * WINDOW]) {
    const sender = codec({ now: T0 + skew });
    const parts = await sender.encode(signal(`skew ${skew}`), ALICE, BOB, 1024);
    assert.deepEqual(await deliver(receiver, parts), { refused: 'stale' }, `${skew}`);
  }
});

test('the replay cache stays bounded under a flood, and is full rather than forgetful', async () => {
  const clock = { now: T0 };
  const sender = codec(clock);
  const receiver = codec(clock, { replayCacheSize: 64 });
  const first = await sender.encode(signal('first'), ALICE, BOB, 1024);
  assert.ok(opened(await deliver(receiver, first)));
  for (let i = 1; i < 64; i++) {
    const parts = await sender.encode(signal(`box ${i}`), ALICE, BOB, 1024);
    assert.ok(opened(await deliver(receiver, parts)), `box ${i}`);
  }
  assert.equal(receiver.stats().rememberedBoxes, 64);
  // Full of boxes still inside the window: a new one is refused, not a young one forgotten.
  const overflow = await sender.encode(signal('one too many'), ALICE, BOB, 1024);
  assert.deepEqual(await deliver(receiver, overflow), { refused: 'overflow' });
  assert.deepEqual(await deliver(receiver, first), { refused: 'replayed' });
  assert.equal(receiver.stats().rememberedBoxes, 64);
  // Once they are out of the window they are forgotten, and their copies are stale.
  clock.now += WINDOW + 1;
  const later = await sender.encode(signal('later'), ALICE, BOB, 1024);
  assert.ok(opened(await deliver(receiver, later)));
  assert.equal(receiver.stats().rememberedBoxes, 1);
  assert.deepEqual(await deliver(receiver, first), { refused: 'stale' });
  receiver.sweep();
  clock.now += WINDOW + 1;
  receiver.sweep();
  assert.equal(receiver.stats().rememberedBoxes, 0, 'a sweep releases expired boxes');
});

test('whatever the clocks and the order of copies, no box opens twice', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          skew: fc.integer({ min: -2 * WINDOW, max: 2 * WINDOW }),
          advance: fc.integer({ min: 0, max: WINDOW / 2 }),
          replay: fc.nat(),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      async (steps) => {
        const clock = { now: T0 };
        const receiver = codec(clock, { replayCacheSize: 8 });
        const boxes: Array<readonly unknown[]> = [];
        const opens = new Map<number, number>();
        for (const [i, step] of steps.entries()) {
          clock.now += step.advance;
          const sender = codec({ now: clock.now + step.skew });
          boxes.push(await sender.encode(signal(`${i}`), ALICE, BOB, 1024));
          for (const at of [i, step.replay % boxes.length]) {
            const result = opened(await deliver(receiver, boxes[at]!));
            if (result !== undefined) opens.set(at, (opens.get(at) ?? 0) + 1);
          }
          assert.ok(receiver.stats().rememberedBoxes <= 8);
        }
        for (const [at, count] of opens) assert.equal(count, 1, `box ${at} opened ${count} times`);
      },
    ),
    { numRuns: 40 },
  );
});

test('a box in the old sealed format (1, no send time) is refused as unauthentic', async () => {
  const receiver = codec({ now: T0 });
  const old = { v: 1, kind: 'sealed', box: Buffer.alloc(40, 7).toString('base64url') };
  const result = await receiver.decode(ALICE, BOB, old);
  assert.ok(result !== undefined && 'unauthentic' in result, JSON.stringify(result));
  assert.match(result.unauthentic, /format 1/);
});

test('rooms without a password keep handling copies by message id only', async () => {
  const plain = new PayloadCodec(ROOM, undefined);
  const parts = await plain.encode(signal('plain'), ALICE, undefined, 1024);
  assert.deepEqual(opened(await deliver(plain, parts, undefined)), signal('plain'));
  assert.deepEqual(opened(await deliver(plain, parts, undefined)), signal('plain'));
});

test('forget drops what a member left half sent, broadcast and addressed', async () => {
  const clock = { now: T0 };
  const [sender, receiver] = [codec(clock), codec(clock)];
  const big = signal('y'.repeat(5000));
  for (const to of [BOB, undefined]) {
    const parts = await sender.encode(big, ALICE, to, 512);
    assert.equal(await receiver.decode(ALICE, to, parts[0]), undefined);
  }
  assert.equal(receiver.stats().partialPayloads, 2);
  receiver.forget(ALICE);
  assert.equal(receiver.stats().partialPayloads, 0);
  assert.equal(receiver.stats().bufferedChars, 0);
});

test('a key still being derived: sealing and opening wait for it, and nothing leaves unsealed', async () => {
  const clock = { now: T0 };
  let resolveKey: (value: RoomKey) => void = () => undefined;
  const pending = new Promise<RoomKey>((resolve) => (resolveKey = resolve));
  const early = new PayloadCodec(ROOM, pending, { now: () => clock.now, replayWindowMs: WINDOW });
  const out: { parts?: readonly unknown[] } = {};
  const encoding = early
    .encode(signal('early'), ALICE, BOB, 1024)
    .then((parts) => (out.parts = parts));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(out.parts, undefined, 'nothing is encoded before the key is there');
  // A sealed payload from a peer that arrives meanwhile waits too, then opens.
  const fromPeer = await codec(clock).encode(signal('from bob'), BOB, ALICE, 1024);
  const decoding = early.decode(BOB, ALICE, fromPeer[0]);
  resolveKey(key);
  const parts = await encoding;
  assert.equal(parts.length, 1);
  assert.equal((parts[0] as { kind?: string }).kind, 'sealed');
  assert.deepEqual(opened(await decoding), signal('from bob'));
  assert.deepEqual(opened(await deliver(codec(clock), parts, BOB)), signal('early'));
});
