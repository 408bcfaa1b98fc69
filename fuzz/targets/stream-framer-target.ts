/**
 * The TCP side of the TURN port: a byte stream of STUN messages and padded ChannelData frames
 * (RFC 8656 §12.5), cut into chunks any way the network likes, through `StreamFramer`.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mutatedBytes } from '../lib/byte-mutations.js';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { encodeChannelData } from '../../packages/node/src/turn/channel-data-frame.js';
import { StreamFramer } from '../../packages/node/src/turn/stream-framer.js';
import { channelDataSeed, signedStun } from './turn-seeds.js';

/** The largest frame: a STUN header and a 65,535-byte body. Never more is buffered. */
const MAX_FRAME_BYTES = 20 + 0xffff;

const validFrame = fc.oneof(
  signedStun.map((s) => s.bytes),
  channelDataSeed.map((s) => encodeChannelData(s.channel, s.data, true)),
);

/**
 * Chunk sizes meaning: the first 70,000 bytes one per segment (the slowest way a peer can send a
 * largest frame), the rest in 2,000-byte chunks.
 */
const TRICKLE: readonly number[] = [];

/** A stream: frames (some mutated), and the chunk sizes it arrives in. */
const stream = fc.record({
  frames: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: validFrame },
      { weight: 1, arbitrary: mutatedBytes(validFrame, 2) },
    ),
    { minLength: 1, maxLength: 6 },
  ),
  chunks: fc.oneof(
    {
      weight: 30,
      arbitrary: fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 20 }),
    },
    { weight: 1, arbitrary: fc.constant(TRICKLE) },
  ),
});

export const streamFramerTarget = fuzzTarget({
  name: 'stream-framer',
  covers: ['StreamFramer.push (packages/node/src/turn/stream-framer.ts)'],
  inputs: stream,
  // Up to 70,000 pushes of one byte: linear is ~30 ms, the quadratic copy it replaced ~1 s.
  maxMsPerInput: 250,
  check({ frames, chunks }: { frames: Uint8Array[]; chunks: readonly number[] }) {
    const bytes = Buffer.concat(frames);
    const framer = new StreamFramer();
    const out: Uint8Array[] = [];
    let fed = 0;
    let emitted = 0;
    let invalid = false;
    for (let i = 0; fed < bytes.length; i++) {
      const size = chunks === TRICKLE ? (fed < 70_000 ? 1 : 2000) : chunks[i % chunks.length]!;
      const result = framer.push(bytes.subarray(fed, fed + size));
      fed = Math.min(bytes.length, fed + size);
      if (!result.ok) {
        invalid = true;
        break;
      }
      for (const frame of result.frames) {
        out.push(frame);
        emitted += frame.length;
      }
      // Frames come out whole, in order, and nothing but them: the emitted bytes are exactly a
      // prefix of the stream, and what is held back is less than one frame.
      assert.ok(fed - emitted < MAX_FRAME_BYTES, `${fed - emitted} bytes buffered`);
    }
    assert.deepEqual(Buffer.concat(out), bytes.subarray(0, emitted));
    for (const frame of out) {
      const first = frame[0] ?? 0;
      const length = ((frame[2] ?? 0) << 8) | (frame[3] ?? 0);
      assert.equal(frame.length, first < 4 ? 20 + length : (4 + length + 3) & ~3);
    }
    if (invalid) {
      // Refused only at a frame boundary (at or after the last frame handed out: a refused chunk
      // hands out nothing, the connection is cut) whose first byte is neither STUN nor ChannelData.
      assert.ok(badBoundary(bytes.subarray(emitted, fed)), 'refused without a bad frame start');
    } else if (isWhole(frames)) {
      assert.equal(emitted, bytes.length, 'every whole frame came out');
    }
  },
});

/** True when walking `bytes` frame by frame meets a first byte that is neither 0–3 nor 64–127. */
function badBoundary(bytes: Uint8Array): boolean {
  let offset = 0;
  while (bytes.length - offset >= 4) {
    const first = bytes[offset] ?? 0;
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    if (first < 4) offset += 20 + length;
    else if (first >= 0x40 && first <= 0x7f) offset += (4 + length + 3) & ~3;
    else return true;
  }
  return false;
}

/** True when every frame is a whole STUN message or padded ChannelData frame by its own header. */
function isWhole(frames: readonly Uint8Array[]): boolean {
  return frames.every((frame) => {
    if (frame.length < 4) return false;
    const first = frame[0] ?? 0;
    const length = ((frame[2] ?? 0) << 8) | (frame[3] ?? 0);
    if (first < 4) return frame.length === 20 + length;
    return first >= 0x40 && first <= 0x7f && frame.length === ((4 + length + 3) & ~3);
  });
}
