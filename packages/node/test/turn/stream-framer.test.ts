import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeChannelData } from '../../src/turn/channel-data-frame.js';
import { StreamFramer } from '../../src/turn/stream-framer.js';

// Fuzzing regression (stream-framer target): the largest ChannelData frame (channel 0x4000,
// length 0xFFFF, padded to 65,540 bytes) arriving one byte per TCP segment. Every byte copied the
// whole partial frame: quadratic, 0.2–1.2 s of event loop per frame.
test('a 64 KiB frame trickled one byte per segment comes out whole, in linear time', () => {
  const frame = encodeChannelData(0x4000, new Uint8Array(0xffff), true);
  assert.equal(frame.length, 65_540);
  const stream = new Uint8Array(frame.length * 8);
  for (let i = 0; i < 8; i++) stream.set(frame, i * frame.length);
  const framer = new StreamFramer();
  const out: Uint8Array[] = [];
  const started = performance.now();
  for (let i = 0; i < stream.length; i++) {
    const result = framer.push(stream.subarray(i, i + 1));
    assert.ok(result.ok);
    out.push(...result.frames);
  }
  const ms = performance.now() - started;
  assert.equal(out.length, 8);
  for (const piece of out) assert.deepEqual(piece, frame);
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms for 8 trickled frames`);
});

test('frames split at every offset, and chunks holding several frames, come out the same', () => {
  const frames = [
    encodeChannelData(0x4001, Uint8Array.of(1, 2, 3), true),
    encodeChannelData(0x7fff, new Uint8Array(0), true),
    encodeChannelData(0x4002, new Uint8Array(300).fill(9), true),
  ];
  const stream = Buffer.concat(frames);
  for (let cut = 1; cut < stream.length; cut++) {
    const framer = new StreamFramer();
    const out: Uint8Array[] = [];
    for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
      const result = framer.push(part);
      assert.ok(result.ok);
      out.push(...result.frames);
    }
    assert.deepEqual(
      out.map((f) => Buffer.from(f)),
      frames.map((f) => Buffer.from(f)),
    );
  }
  assert.deepEqual(new StreamFramer().push(Uint8Array.of(0x80, 0, 0, 0)), { ok: false });
});
