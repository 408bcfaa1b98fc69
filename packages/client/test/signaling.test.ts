import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  parseRoomPayload,
  readSealedBox,
  writeSealedBox,
  type FragmentPayload,
} from '@sigmesh/protocol';
import { ClientIdentity, verifyHello } from '../src/signaling/client-identity.js';
import { FragmentAssembler, splitPayload } from '../src/signaling/fragments.js';
import { RoomKey } from '../src/signaling/room-key.js';

const ROOM = 'a'.repeat(40);
const MEMBER = 'b'.repeat(32);
const OTHER = 'c'.repeat(32);
const NODE = 'd'.repeat(64);

test('split payloads fit the post limit and reassemble exactly, in any order', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 6000 }),
      fc.integer({ min: 300, max: 2048 }),
      (text, max) => {
        const json = JSON.stringify({ v: 1, kind: 'signal', text });
        const parts = splitPayload(json, max);
        assert.ok(parts !== undefined);
        for (const part of parts) {
          const body = JSON.stringify({ data: part, to: OTHER });
          assert.ok(new TextEncoder().encode(body).length <= max, `${body.length} > ${max}`);
        }
        if (parts.length === 1) return;
        const assembler = new FragmentAssembler();
        const shuffled = [...(parts as FragmentPayload[])].reverse();
        let whole: string | undefined;
        for (const part of shuffled) {
          assert.ok(parseRoomPayload(part).ok);
          whole = assembler.add('sender', part) ?? whole;
        }
        assert.equal(whole, json);
      },
    ),
    { numRuns: 200 },
  );
});

test('the assembler ignores duplicates and bounds what one sender can leave half done', () => {
  const parts = splitPayload(JSON.stringify({ x: 'y'.repeat(3000) }), 512) as FragmentPayload[];
  const assembler = new FragmentAssembler({ maxPerSender: 2 });
  assert.equal(assembler.add('s', parts[0]!), undefined);
  assert.equal(assembler.add('s', parts[0]!), undefined, 'a duplicate adds nothing');
  // Two other payloads started by the same sender push the first one out.
  for (const id of ['00000001', '00000002']) assembler.add('s', { ...parts[0]!, frag: id });
  let whole: string | undefined;
  for (const part of parts.slice(1)) whole = assembler.add('s', part) ?? whole;
  assert.equal(whole, undefined, 'the evicted payload never completes');
});

test('sealed payloads open only with the same password, room, sender, addressee and time', async () => {
  const key = await RoomKey.derive('pw', 'app', 'room');
  const sentAt = 1_700_000_000_000;
  const sealed = await key.seal('{"v":1}', ROOM, MEMBER, OTHER, sentAt);
  assert.ok(parseRoomPayload(sealed).ok);
  const box = await key.open(sealed, ROOM, MEMBER, OTHER);
  assert.equal(box?.text, '{"v":1}');
  assert.equal(box.sentAt, sentAt);
  assert.equal(await key.open(sealed, ROOM, OTHER, OTHER), undefined, 'another sender');
  assert.equal(await key.open(sealed, ROOM, MEMBER, undefined), undefined, 'readdressed');
  assert.equal(await key.open(sealed, 'f'.repeat(40), MEMBER, OTHER), undefined, 'another room');
  const other = await RoomKey.derive('pw', 'app', 'other room');
  assert.equal(
    await other.open(sealed, ROOM, MEMBER, OTHER),
    undefined,
    'same password, other room',
  );
  const flipped = {
    ...sealed,
    box: sealed.box.slice(0, -2) + (sealed.box.endsWith('A') ? 'BA' : 'AA'),
  };
  assert.equal(await key.open(flipped, ROOM, MEMBER, OTHER), undefined, 'tampered');
  // A relay that moves the send time (to make an old box look fresh) breaks the tag.
  const parts = readSealedBox(sealed.box)!;
  const retimed = { ...sealed, box: writeSealedBox({ ...parts, sentAt: sentAt + 60_000 }) };
  assert.equal(await key.open(retimed, ROOM, MEMBER, OTHER), undefined, 'retimed');
  // So does one that changes the IV (to dodge the replay cache).
  const iv = Uint8Array.from(parts.iv, (byte, i) => (i === 0 ? byte ^ 1 : byte));
  const renamed = { ...sealed, box: writeSealedBox({ ...parts, iv }) };
  assert.equal(await key.open(renamed, ROOM, MEMBER, OTHER), undefined, 'another IV');
});

test('a hello proves its member and node; changing either or the key is caught', async () => {
  const identity = await ClientIdentity.create();
  const hello = await identity.hello(ROOM, MEMBER, NODE, false);
  assert.ok(parseRoomPayload(hello).ok);
  assert.equal(await verifyHello(ROOM, MEMBER, hello), true);
  assert.equal(await verifyHello(ROOM, OTHER, hello), false, 'posted by another member');
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, node: 'e'.repeat(64) }), false);
  const impostor = await ClientIdentity.create();
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, key: impostor.publicKey }), false);
  assert.equal(await verifyHello(ROOM, MEMBER, { ...hello, id: impostor.id }), false);
});
