import { parseRoomPayload, sigmeshError, type PeerId, type RoomPayload } from '@sigmesh/protocol';
import { FragmentAssembler, splitPayload } from './fragments.js';
import { ReplayGuard, type ReplayRefusal } from './replay-guard.js';
import type { RoomKey } from './room-key.js';

/**
 * An incoming payload: what it says; why it was dropped as not authentic (reported); or why an
 * authentic sealed box was dropped as not fresh (counted, not reported: an honest post sent twice
 * ends here too).
 */
export type OpenedPayload =
  | { readonly payload: RoomPayload }
  | { readonly unauthentic: string }
  | { readonly refused: ReplayRefusal }
  | undefined;

export interface PayloadCodecOptions {
  /** How far a sealed box's send time may be from our clock, either way. Default 120,000 ms. */
  readonly replayWindowMs?: number;
  /** Sealed boxes remembered at most, to refuse copies within the window. Default 16,384. */
  readonly replayCacheSize?: number;
  /** Members with split payloads in progress. Default 64. */
  readonly maxFragmentSenders?: number;
  /** Characters of split payloads buffered in all. Default 2 Mi. */
  readonly maxBufferedFragmentChars?: number;
  /** The clock sealed boxes are stamped and checked with (ms since the Unix epoch). */
  readonly now?: () => number;
}

/** Defaults of the {@link PayloadCodecOptions} limits. */
export const payloadCodecDefaults = {
  replayWindowMs: 120_000,
  replayCacheSize: 16_384,
} as const;

/** What a codec holds and has refused. */
export interface PayloadCodecStats {
  readonly partialPayloads: number;
  readonly fragmentSenders: number;
  readonly bufferedChars: number;
  readonly rememberedBoxes: number;
  readonly refused: Readonly<Record<ReplayRefusal, number>>;
}

/**
 * Room payloads as they travel: sealed with the room key (when there is a password) and split to
 * fit a node's posts on the way out; reassembled, unsealed, checked for freshness and parsed on
 * the way in.
 */
export class PayloadCodec {
  readonly #room: string;
  readonly #key: RoomKey | Promise<RoomKey> | undefined;
  readonly #now: () => number;
  readonly #fragments: FragmentAssembler;
  readonly #replays: ReplayGuard;
  readonly #refused: Record<ReplayRefusal, number> = { replayed: 0, stale: 0, overflow: 0 };
  #keyReady: boolean;

  /** `key` may still be being derived: sealing and opening wait for it. */
  constructor(
    room: string,
    key: RoomKey | Promise<RoomKey> | undefined,
    options: PayloadCodecOptions = {},
  ) {
    this.#room = room;
    this.#key = key;
    this.#keyReady = !(key instanceof Promise);
    if (key instanceof Promise)
      void key.then(
        () => (this.#keyReady = true),
        () => undefined,
      );
    this.#now = options.now ?? Date.now;
    this.#fragments = new FragmentAssembler({
      now: this.#now,
      ...(options.maxFragmentSenders === undefined
        ? {}
        : { maxSenders: options.maxFragmentSenders }),
      ...(options.maxBufferedFragmentChars === undefined
        ? {}
        : { maxBufferedChars: options.maxBufferedFragmentChars }),
    });
    this.#replays = new ReplayGuard({
      windowMs: options.replayWindowMs ?? payloadCodecDefaults.replayWindowMs,
      capacity: options.replayCacheSize ?? payloadCodecDefaults.replayCacheSize,
      now: this.#now,
    });
  }

  /** True once sealing need not wait for the room key (there is none, or it is derived). */
  get keyReady(): boolean {
    return this.#keyReady;
  }

  /** The `data` of each post that carries `payload` from member `from` (to `to`, or all). */
  async encode(
    payload: RoomPayload,
    from: PeerId,
    to: PeerId | undefined,
    maxMessageBytes: number,
  ): Promise<readonly unknown[]> {
    let text = JSON.stringify(payload);
    const key = await this.#key;
    if (key !== undefined)
      text = JSON.stringify(await key.seal(text, this.#room, from, to, this.#now()));
    const parts = splitPayload(text, maxMessageBytes);
    if (parts === undefined)
      throw sigmeshError('BODY_TOO_LARGE', 'a signaling payload does not fit a post');
    return parts;
  }

  /** Reassembles, unseals and parses what member `from` posted; undefined while incomplete. */
  async decode(from: PeerId, to: PeerId | undefined, data: unknown): Promise<OpenedPayload> {
    let payload = parseRoomPayload(data);
    if (payload.ok && payload.value.kind === 'fragment') {
      const whole = this.#fragments.add(from, payload.value, to);
      if (whole === undefined) return undefined;
      payload = parseRoomPayload(safeJson(whole));
      if (payload.ok && payload.value.kind === 'fragment') return undefined;
    }
    if (!payload.ok)
      return payload.code === 'SIGNAL_UNAUTHENTIC' ? { unauthentic: payload.message } : undefined;
    const key = await this.#key;
    if (payload.value.kind === 'sealed') {
      if (key === undefined) return { unauthentic: 'it uses a room password and we have none' };
      const box = await key.open(payload.value, this.#room, from, to);
      if (box === undefined) return { unauthentic: 'wrong password or tampered' };
      // Only authentic boxes are remembered, after the await, with no await between the check
      // and the remembering: two copies decoded at once cannot both pass.
      const refused = this.#replays.admit(box.sentAt, box.iv);
      if (refused !== undefined) {
        this.#refused[refused]++;
        return { refused };
      }
      const inner = parseRoomPayload(safeJson(box.text));
      if (!inner.ok || inner.value.kind === 'sealed' || inner.value.kind === 'fragment')
        return undefined;
      return { payload: inner.value };
    }
    if (key !== undefined)
      return { unauthentic: 'it sent an unencrypted payload in a password-protected room' };
    return { payload: payload.value };
  }

  /** Drops what a member that left had half sent, broadcast and addressed. */
  forget(member: PeerId): void {
    this.#fragments.forget(member);
  }

  /** Releases expired split payloads and remembered boxes (also done on input). */
  sweep(): void {
    this.#fragments.sweep();
    this.#replays.sweep();
  }

  stats(): PayloadCodecStats {
    const fragments = this.#fragments.stats();
    return {
      partialPayloads: fragments.partials,
      fragmentSenders: fragments.senders,
      bufferedChars: fragments.chars,
      rememberedBoxes: this.#replays.size,
      refused: { ...this.#refused },
    };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
