import { parseRoomPayload, sigmeshError, type PeerId, type RoomPayload } from '@sigmesh/protocol';
import { FragmentAssembler, splitPayload } from './fragments.js';
import type { RoomKey } from './room-key.js';

/** An incoming payload: what it says, or why it was dropped as not authentic. */
export type OpenedPayload =
  { readonly payload: RoomPayload } | { readonly unauthentic: string } | undefined;

/**
 * Room payloads as they travel: sealed with the room key (when there is a password) and split to
 * fit a node's posts on the way out; reassembled, unsealed and parsed on the way in.
 */
export class PayloadCodec {
  readonly #room: string;
  readonly #key: RoomKey | undefined;
  readonly #fragments = new FragmentAssembler();

  constructor(room: string, key: RoomKey | undefined) {
    this.#room = room;
    this.#key = key;
  }

  /** The `data` of each post that carries `payload` from member `from` (to `to`, or all). */
  async encode(
    payload: RoomPayload,
    from: PeerId,
    to: PeerId | undefined,
    maxMessageBytes: number,
  ): Promise<readonly unknown[]> {
    let text = JSON.stringify(payload);
    if (this.#key !== undefined)
      text = JSON.stringify(await this.#key.seal(text, this.#room, from, to));
    const parts = splitPayload(text, maxMessageBytes);
    if (parts === undefined)
      throw sigmeshError('BODY_TOO_LARGE', 'a signaling payload does not fit a post');
    return parts;
  }

  /** Reassembles, unseals and parses what member `from` posted; undefined while incomplete. */
  async decode(from: PeerId, to: PeerId | undefined, data: unknown): Promise<OpenedPayload> {
    let payload = parseRoomPayload(data);
    if (!payload.ok) return undefined;
    if (payload.value.kind === 'fragment') {
      const whole = this.#fragments.add(`${from}>${to ?? '*'}`, payload.value);
      if (whole === undefined) return undefined;
      payload = parseRoomPayload(safeJson(whole));
      if (!payload.ok || payload.value.kind === 'fragment') return undefined;
    }
    const key = this.#key;
    if (payload.value.kind === 'sealed') {
      if (key === undefined) return { unauthentic: 'it uses a room password and we have none' };
      const text = await key.open(payload.value, this.#room, from, to);
      if (text === undefined) return { unauthentic: 'wrong password or tampered' };
      const inner = parseRoomPayload(safeJson(text));
      if (!inner.ok || inner.value.kind === 'sealed' || inner.value.kind === 'fragment')
        return undefined;
      return { payload: inner.value };
    }
    if (key !== undefined)
      return { unauthentic: 'it sent an unencrypted payload in a password-protected room' };
    return { payload: payload.value };
  }

  /** Drops what a member that left had half sent. */
  forget(member: PeerId): void {
    this.#fragments.forget(`${member}>*`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
