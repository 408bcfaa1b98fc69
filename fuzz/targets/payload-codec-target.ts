/**
 * The client's signaling codec end to end (packages/client/src/signaling/payload-codec.ts,
 * fragments.ts, room-key.ts, client-identity.ts): a member's payload sealed with the room key or
 * not, split to fit a node's post size, delivered in any order with copies (a sealed one opens
 * once), and interleaved with a hostile member's fragments, tampered boxes and forged hellos.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PeerId, RoomPayload } from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { mutatedJson } from '../lib/json-mutations.js';
import { jsonText } from '../lib/json-tree.js';
import { verifyHello } from '../../packages/client/src/signaling/client-identity.js';
import { PayloadCodec } from '../../packages/client/src/signaling/payload-codec.js';
import { RoomKey } from '../../packages/client/src/signaling/room-key.js';
import { asTree, peerId } from './protocol-seeds.js';
import { roomPayload } from './client-signal-targets.js';

const ROOM = 'ab'.repeat(20);
let roomKey: Promise<RoomKey> | undefined;

/** One room key for the whole run: deriving it is 600,000 PBKDF2 iterations. */
function key(): Promise<RoomKey> {
  roomKey ??= RoomKey.derive('fuzz password', 'fuzz-app', ROOM);
  return roomKey;
}

/** What a hostile member posts between the honest member's parts. */
const hostileData = fc.oneof(
  mutatedJson(roomPayload.map(asTree)).map(({ tree }) => JSON.parse(jsonText(tree)) as unknown),
  fc.jsonValue({ maxDepth: 3 }),
);

const honest = roomPayload.filter(
  (p) => p.kind === 'hello' || p.kind === 'signal',
) as fc.Arbitrary<RoomPayload>;

const delivery = fc.record({
  payload: honest,
  sealed: fc.boolean(),
  maxMessageBytes: fc.oneof(fc.constantFrom(64, 200, 1024), fc.integer({ min: 64, max: 4096 })),
  from: peerId,
  to: fc.option(peerId, { nil: undefined }),
  /** Positions the parts are sent in (a permutation seed), and which are sent twice. */
  order: fc.array(fc.nat(), { maxLength: 40 }),
  copies: fc.array(fc.nat(), { maxLength: 3 }),
  /** Flip one character of the sealed box (its tag must then fail). */
  tamper: fc.option(fc.nat(), { nil: undefined }),
  hostile: fc.array(fc.record({ from: fc.oneof(peerId, fc.constant('same')), data: hostileData }), {
    maxLength: 4,
  }),
});

export const payloadCodecTarget = fuzzTarget({
  name: 'payload-codec',
  covers: [
    'PayloadCodec.encode/decode (packages/client/src/signaling/payload-codec.ts)',
    'splitPayload, FragmentAssembler (fragments.ts); RoomKey.seal/open (room-key.ts); verifyHello (client-identity.ts)',
  ],
  async: true,
  inputs: delivery,
  async check(input: {
    payload: RoomPayload;
    sealed: boolean;
    maxMessageBytes: number;
    from: PeerId;
    to: PeerId | undefined;
    order: number[];
    copies: number[];
    tamper: number | undefined;
    hostile: { from: PeerId | 'same'; data: unknown }[];
  }) {
    const roomKey = input.sealed ? await key() : undefined;
    const sender = new PayloadCodec(ROOM, roomKey);
    const receiver = new PayloadCodec(ROOM, roomKey);
    let parts: readonly unknown[];
    try {
      parts = await sender.encode(input.payload, input.from, input.to, input.maxMessageBytes);
    } catch (error) {
      // Too large for this post size even in 128 fragments: a typed refusal.
      assert.ok(
        error instanceof Error && 'code' in error && error.code === 'BODY_TOO_LARGE',
        String(error),
      );
      return;
    }
    for (const part of parts) {
      const body = JSON.stringify(
        input.to === undefined ? { data: part } : { data: part, to: input.to },
      );
      assert.ok(
        Buffer.byteLength(body) <= input.maxMessageBytes,
        `a ${Buffer.byteLength(body)}-byte post for a ${input.maxMessageBytes}-byte node`,
      );
    }
    const tampered = input.tamper !== undefined && input.sealed && parts.length === 1;
    const posts = shuffle(
      parts.map((data) => (tampered ? tamper(data, input.tamper!) : data)),
      input.order,
    );
    for (const copy of input.copies)
      posts.splice(copy % (posts.length + 1), 0, posts[copy % posts.length]);
    const events = posts.map((data) => ({ from: input.from, data }));
    input.hostile.forEach((h, i) =>
      events.splice((i * 7) % (events.length + 1), 0, {
        from: h.from === 'same' ? input.from : h.from,
        data: h.data,
      }),
    );
    const opened: unknown[] = [];
    for (const event of events) {
      const result = await receiver.decode(event.from, input.to, event.data);
      if (result === undefined) continue;
      if ('payload' in result) {
        if (result.payload.kind === 'hello')
          assert.equal(typeof (await verifyHello(ROOM, event.from, result.payload)), 'boolean');
        if (event.from === input.from) opened.push(result.payload);
      } else if ('refused' in result) {
        assert.ok(input.sealed, 'only sealed boxes are checked for freshness');
        assert.equal(result.refused, 'replayed', 'a fresh box refused as stale or overflow');
      } else {
        assert.equal(typeof result.unauthentic, 'string');
      }
    }
    // From the honest sender's id only its payload comes out when the room is sealed (a hostile
    // member posting under the same id cannot forge the tag), exactly once however many copies
    // arrive (the replay guard), and never a tampered box. Unsealed, a post sent twice opens
    // twice: copies are dropped by message id (room-signaling.ts), not here.
    const original = JSON.stringify(input.payload);
    if (tampered) assert.deepEqual(opened, [], 'a tampered box opened');
    else if (input.sealed) {
      assert.equal(opened.length, 1, `the sealed payload came out ${opened.length} times`);
      for (const payload of opened) assert.equal(JSON.stringify(payload), original);
    } else
      assert.ok(
        opened.some((p) => JSON.stringify(p) === original),
        'the payload never came out',
      );
  },
});

function shuffle<T>(items: readonly T[], order: readonly number[]): T[] {
  const out = [...items];
  order.forEach((n, i) => {
    const a = i % out.length;
    const b = n % out.length;
    [out[a], out[b]] = [out[b]!, out[a]!];
  });
  return out;
}

function tamper(data: unknown, at: number): unknown {
  const box = (data as { box: string }).box;
  const i = at % box.length;
  const swapped = box[i] === 'A' ? 'B' : 'A';
  return { ...(data as object), box: box.slice(0, i) + swapped + box.slice(i + 1) };
}
