import type { ClientId, Room } from '@sigmesh/client';
import { MAX_FILE_NAME_LENGTH, sendAppMessage, type AppMessage } from './app-messages.js';
import { describeError } from './describe-error.js';
import { CHUNK_BYTES, encodeChunk } from './file-chunk.js';
import type { PeerDirectory } from './peer-directory.js';
import { createSha256Stream } from './sha256-stream.js';
import { TransferCard } from './transfer-card.js';

/** The file is read this much at a time: memory stays bounded whatever its size. */
const READ_BYTES = 1 << 20;

interface Outgoing {
  readonly transfer: number;
  readonly card: TransferCard;
  /** Recipients still receiving (or verifying). */
  readonly targets: Set<ClientId>;
  readonly verified: Set<ClientId>;
  readonly dropped: string[];
  sent: boolean;
  stopped: boolean;
}

/**
 * Sends files to every open peer: `file-start`, then 16 KiB binary chunks (each `await room.send`
 * waits while a data channel is full: backpressure), then `file-end` with the SHA-256 of what was
 * sent. Each receiver answers `file-received` once its own digest matched.
 */
export class OutgoingFiles {
  readonly #room: Room;
  readonly #peers: PeerDirectory;
  readonly #show: (card: TransferCard) => void;
  readonly #active = new Map<number, Outgoing>();
  readonly #cards: TransferCard[] = [];
  #next = 1;

  constructor(room: Room, peers: PeerDirectory, show: (card: TransferCard) => void) {
    this.#room = room;
    this.#peers = peers;
    this.#show = show;
  }

  /** Sends `file` to everyone connected now. Rejects only when nobody is. */
  async send(file: File): Promise<void> {
    const targets = new Set(this.#peers.openIds());
    if (targets.size === 0)
      throw new Error('Nobody to send to yet: wait until a peer is connected.');
    const transfer = this.#next++;
    const card = new TransferCard({
      direction: 'out',
      name: file.name,
      size: file.size,
      peers: `to ${[...targets].map((id) => this.#peers.name(id)).join(', ')}`,
      onCancel: () => this.#stop(outgoing, 'you cancelled', true),
    });
    const outgoing: Outgoing = {
      transfer,
      card,
      targets,
      verified: new Set(),
      dropped: [],
      sent: false,
      stopped: false,
    };
    this.#active.set(transfer, outgoing);
    this.#cards.push(card);
    this.#show(card);
    try {
      await this.#stream(outgoing, file);
    } catch (error) {
      this.#stop(outgoing, `could not read the file: ${describeError(error)}`, true);
    }
  }

  /** A receiver's answer about one of our transfers. */
  onAnswer(
    message: Extract<AppMessage, { type: 'file-reject' | 'file-received' }>,
    from: ClientId,
  ): void {
    const outgoing = this.#active.get(message.transfer);
    if (outgoing === undefined || !outgoing.targets.has(from)) return;
    if (message.type === 'file-received') {
      outgoing.verified.add(from);
      this.#settle(outgoing);
      return;
    }
    this.#drop(
      outgoing,
      from,
      `${this.#peers.name(from)} refused it (${message.reason || 'no reason'})`,
    );
  }

  peerLeft(id: ClientId): void {
    for (const outgoing of this.#active.values())
      if (outgoing.targets.has(id)) this.#drop(outgoing, id, `${this.#peers.name(id)} left`);
  }

  /** Stops every transfer (the room is being left) and frees the cards' URLs. */
  dispose(): void {
    for (const outgoing of this.#active.values()) this.#stop(outgoing, 'left the room', false);
    for (const card of this.#cards) card.dispose();
  }

  async #stream(outgoing: Outgoing, file: File): Promise<void> {
    const { transfer, card } = outgoing;
    const name = file.name.slice(0, MAX_FILE_NAME_LENGTH).trim() || 'file';
    await this.#toTargets(outgoing, {
      type: 'file-start',
      transfer,
      name,
      size: file.size,
      mime: file.type,
    });
    card.status('sending…');
    const hash = await createSha256Stream();
    let done = 0;
    while (done < file.size && !outgoing.stopped) {
      const block = new Uint8Array(await file.slice(done, done + READ_BYTES).arrayBuffer());
      if (block.byteLength === 0) throw new Error('the file got shorter while it was being sent');
      for (let at = 0; at < block.byteLength && !outgoing.stopped; at += CHUNK_BYTES) {
        const piece = block.subarray(at, at + CHUNK_BYTES);
        hash.update(piece);
        await this.#toTargets(outgoing, encodeChunk(transfer, piece));
        card.progress(done + at + piece.byteLength);
      }
      done += block.byteLength;
    }
    if (outgoing.stopped) return;
    const sha256 = hash.hex();
    card.digest(sha256);
    await this.#toTargets(outgoing, { type: 'file-end', transfer, sha256 });
    outgoing.sent = true;
    this.#settle(outgoing);
  }

  /** Sends to every remaining target at once; a peer that cannot be sent to is dropped. */
  async #toTargets(outgoing: Outgoing, data: AppMessage | Uint8Array): Promise<void> {
    await Promise.all(
      [...outgoing.targets].map(async (id) => {
        try {
          if (data instanceof Uint8Array) await this.#room.send(data, id);
          else await sendAppMessage(this.#room, data, id);
        } catch (error) {
          this.#drop(outgoing, id, `${this.#peers.name(id)}: ${describeError(error)}`);
        }
      }),
    );
  }

  #drop(outgoing: Outgoing, id: ClientId, why: string): void {
    if (!outgoing.targets.delete(id)) return;
    outgoing.dropped.push(why);
    if (outgoing.targets.size === 0) this.#stop(outgoing, outgoing.dropped.join('; '), false);
    else this.#settle(outgoing);
  }

  /** Done once every remaining recipient confirmed its digest. */
  #settle(outgoing: Outgoing): void {
    if (outgoing.stopped) return;
    if (!outgoing.sent) return;
    const waiting = [...outgoing.targets].filter((id) => !outgoing.verified.has(id));
    if (waiting.length > 0) {
      outgoing.card.status(
        `sent; waiting for ${waiting.map((id) => this.#peers.name(id)).join(', ')} to check it`,
      );
      return;
    }
    this.#active.delete(outgoing.transfer);
    const names = [...outgoing.verified].map((id) => this.#peers.name(id)).join(', ');
    const notes = outgoing.dropped.length > 0 ? ` (${outgoing.dropped.join('; ')})` : '';
    outgoing.card.succeed(`delivered, SHA-256 checked by ${names}${notes}`);
  }

  #stop(outgoing: Outgoing, why: string, tell: boolean): void {
    if (outgoing.stopped) return;
    outgoing.stopped = true;
    this.#active.delete(outgoing.transfer);
    if (tell)
      for (const id of outgoing.targets)
        sendAppMessage(
          this.#room,
          { type: 'file-cancel', transfer: outgoing.transfer, reason: why },
          id,
        ).catch(() => undefined);
    outgoing.card.fail(why);
  }
}
