import type { ClientId, Room } from '@sigmesh/client';
import { sendAppMessage, type AppMessage } from './app-messages.js';
import { describeError } from './describe-error.js';
import { decodeChunk } from './file-chunk.js';
import type { PeerDirectory } from './peer-directory.js';
import { createSha256Stream, type Sha256Stream } from './sha256-stream.js';
import { TransferCard } from './transfer-card.js';

/**
 * Received bytes are moved into a Blob every this many bytes: the browser keeps Blob data out of
 * the JavaScript heap (large ones on disk), so a big file does not pile up as ArrayBuffers.
 */
const BLOB_FLUSH_BYTES = 1 << 20;
/** A peer may send this many files at once; further ones are refused. */
const MAX_ACTIVE_PER_PEER = 4;

interface Incoming {
  readonly from: ClientId;
  readonly transfer: number;
  readonly name: string;
  readonly size: number;
  readonly card: TransferCard;
  readonly hash: Sha256Stream;
  readonly parts: Blob[];
  pending: Uint8Array<ArrayBuffer>[];
  pendingBytes: number;
  received: number;
}

type FileMessage = Extract<AppMessage, { type: 'file-start' | 'file-end' | 'file-cancel' }>;

/**
 * Receives files: a card per transfer with its progress, the SHA-256 computed as chunks arrive
 * and compared with the sender's at the end (✓, or the reason it failed), then a download link.
 * Transfers from a peer that leaves are dropped with their data.
 */
export class IncomingFiles {
  readonly #room: Room;
  readonly #peers: PeerDirectory;
  readonly #show: (card: TransferCard) => void;
  readonly #files = new Map<string, Incoming>();
  readonly #cards: TransferCard[] = [];
  /** Per peer: its file messages and chunks are handled one after another, in arrival order. */
  readonly #queues = new Map<ClientId, Promise<void>>();

  constructor(room: Room, peers: PeerDirectory, show: (card: TransferCard) => void) {
    this.#room = room;
    this.#peers = peers;
    this.#show = show;
  }

  onMessage(message: FileMessage, from: ClientId): void {
    this.#enqueue(from, async () => {
      if (message.type === 'file-start') await this.#start(message, from);
      else if (message.type === 'file-end') this.#end(message, from);
      else this.#fail(key(from, message.transfer), `the sender cancelled (${message.reason})`);
    });
  }

  /** A binary message: a chunk of one of the peer's transfers. */
  onChunk(bytes: Uint8Array, from: ClientId): void {
    this.#enqueue(from, () => {
      const chunk = decodeChunk(bytes);
      if (chunk === undefined) return;
      const incoming = this.#files.get(key(from, chunk.transfer));
      if (incoming === undefined) return; // cancelled or refused: late chunks are dropped
      incoming.received += chunk.payload.byteLength;
      if (incoming.received > incoming.size) {
        this.#refuse(incoming, 'more bytes arrived than announced');
        return;
      }
      incoming.hash.update(chunk.payload);
      incoming.pending.push(chunk.payload);
      incoming.pendingBytes += chunk.payload.byteLength;
      if (incoming.pendingBytes >= BLOB_FLUSH_BYTES) flush(incoming);
      incoming.card.progress(incoming.received);
    });
  }

  peerLeft(id: ClientId): void {
    for (const incoming of [...this.#files.values()])
      if (incoming.from === id) this.#fail(key(id, incoming.transfer), 'the sender left');
    this.#queues.delete(id);
  }

  dispose(): void {
    for (const id of [...this.#files.keys()]) this.#fail(id, 'left the room');
    for (const card of this.#cards) card.dispose();
  }

  async #start(
    message: Extract<FileMessage, { type: 'file-start' }>,
    from: ClientId,
  ): Promise<void> {
    const id = key(from, message.transfer);
    const card = new TransferCard({
      direction: 'in',
      name: message.name,
      size: message.size,
      peers: `from ${this.#peers.name(from)}`,
      onCancel: () => {
        const incoming = this.#files.get(id);
        if (incoming !== undefined) this.#refuse(incoming, 'the receiver cancelled');
      },
    });
    this.#cards.push(card);
    this.#show(card);
    const active = [...this.#files.values()].filter((file) => file.from === from).length;
    if (this.#files.has(id) || active >= MAX_ACTIVE_PER_PEER) {
      const why = `too many files at once from ${this.#peers.name(from)}`;
      card.fail(why);
      this.#answer(from, { type: 'file-reject', transfer: message.transfer, reason: why });
      return;
    }
    this.#files.set(id, {
      from,
      transfer: message.transfer,
      name: message.name,
      size: message.size,
      card,
      hash: await createSha256Stream(),
      parts: [],
      pending: [],
      pendingBytes: 0,
      received: 0,
    });
    card.status('receiving…');
  }

  #end(message: Extract<FileMessage, { type: 'file-end' }>, from: ClientId): void {
    const incoming = this.#files.get(key(from, message.transfer));
    if (incoming === undefined) return;
    if (incoming.received !== incoming.size) {
      this.#refuse(incoming, `incomplete: ${incoming.received} of ${incoming.size} bytes arrived`);
      return;
    }
    const sha256 = incoming.hash.hex();
    incoming.card.digest(sha256);
    if (sha256 !== message.sha256) {
      this.#refuse(incoming, `SHA-256 mismatch: the sender's is ${message.sha256}`);
      return;
    }
    flush(incoming);
    this.#files.delete(key(from, message.transfer));
    // Always octet-stream: a peer-chosen type such as text/html must not render under our origin.
    const blob = new Blob(incoming.parts, { type: 'application/octet-stream' });
    incoming.card.succeed('received, SHA-256 verified');
    incoming.card.offerDownload(blob, incoming.name);
    this.#answer(from, { type: 'file-received', transfer: incoming.transfer });
  }

  /** Aborts a transfer and tells the sender to stop. */
  #refuse(incoming: Incoming, why: string): void {
    this.#answer(incoming.from, { type: 'file-reject', transfer: incoming.transfer, reason: why });
    this.#fail(key(incoming.from, incoming.transfer), why);
  }

  #fail(id: string, why: string): void {
    const incoming = this.#files.get(id);
    if (incoming === undefined) return;
    this.#files.delete(id);
    incoming.pending = [];
    incoming.parts.length = 0;
    incoming.card.fail(why);
  }

  #answer(to: ClientId, message: AppMessage): void {
    sendAppMessage(this.#room, message, to).catch(() => undefined);
  }

  #enqueue(from: ClientId, task: () => void | Promise<void>): void {
    const previous = this.#queues.get(from) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => {
      console.error(`file transfer from ${from}: ${describeError(error)}`);
    });
    this.#queues.set(from, next);
  }
}

function key(from: ClientId, transfer: number): string {
  return `${from}/${transfer}`;
}

function flush(incoming: Incoming): void {
  if (incoming.pending.length === 0) return;
  incoming.parts.push(new Blob(incoming.pending));
  incoming.pending = [];
  incoming.pendingBytes = 0;
}
