import {
  parsePeerFrame,
  sigmeshError,
  type CandidateSignal,
  type ClientId,
  type PeerFrame,
  type PeerSignal,
} from '@sigmesh/protocol';
import { connectionRoute, type ConnectionRoute } from './connection-route.js';
import type { PeerHandlers, PeerOptions } from './peer-options.js';
import { SignalBatcher } from './signal-batcher.js';
import { nudgeAction, nudgeDelayMs, STALL_NUDGES } from './stall-nudge.js';
import { drained, HIGH_WATER_BYTES, LOW_WATER_BYTES, toBytes } from './channel-bytes.js';

export type { PeerConnectionFactory, PeerHandlers, PeerOptions } from './peer-options.js';

/** The polite side makes its own offer only if the impolite one has not made one by then. */
const POLITE_OFFER_DELAY_MS = 1500;
/** A connection still failed this long after an ICE restart is given up. */
const RESTART_GIVE_UP_MS = 20_000;
/** A disconnected connection gets an ICE restart after this long. */
const DISCONNECTED_RESTART_MS = 4000;
/** How long a closing peer waits for its bye to leave before closing the connection. */
const BYE_FLUSH_MS = 250;
/** Used when the connection does not say its SCTP max message size. */
const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * One remote client: one RTCPeerConnection with perfect negotiation, the `sigmesh` data channel
 * (negotiated, id 0) for application messages and all later negotiation, and its media.
 */
export class Peer {
  readonly id: ClientId;
  readonly pc: RTCPeerConnection;
  route: ConnectionRoute = 'unknown';
  readonly #options: PeerOptions;
  readonly #handlers: PeerHandlers;
  readonly #batcher: SignalBatcher;
  readonly #metadata = new Map<string, unknown>();
  readonly #announced = new Set<string>();
  #channel: RTCDataChannel | undefined;
  #makingOffer = false;
  #ignoreOffer = false;
  #incoming: Promise<void> = Promise.resolve();
  #pendingCandidates: CandidateSignal[] = [];
  #opened = false;
  #closed = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #restartDeadline: number | undefined;

  constructor(options: PeerOptions) {
    this.id = options.id;
    this.#options = options;
    this.#handlers = options.handlers;
    this.#batcher = new SignalBatcher(
      (signals) => this.#deliver(signals),
      (error) => this.#handlers.error(this, asError(error)),
    );
    this.pc = new options.RTCPeerConnection(options.configuration);
    this.#wire();
    if (!options.polite) this.#openChannel();
    else this.#later(POLITE_OFFER_DELAY_MS, () => this.#openChannel());
    this.#later(nudgeDelayMs(1, options.polite), () => this.#nudge(1));
  }

  get opened(): boolean {
    return this.#opened;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /** Signals from the other side, through the nodes or the data channel; applied in order. */
  receive(signals: readonly PeerSignal[]): void {
    this.#incoming = this.#incoming
      .then(async () => {
        for (const signal of signals) await this.#apply(signal);
      })
      .catch((error: unknown) => this.#handlers.error(this, asError(error)));
  }

  /** Sends an application message (JSON value, or bytes) and waits while the channel is full. */
  async send(data: unknown): Promise<void> {
    const channel = this.#channel;
    if (channel?.readyState !== 'open')
      throw sigmeshError('PEER_NOT_CONNECTED', `no open data channel to ${this.id}`);
    const binary = toBytes(data);
    const size =
      binary?.byteLength ?? new TextEncoder().encode(JSON.stringify({ t: 'message', data })).length;
    const max = this.pc.sctp?.maxMessageSize ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (size > max)
      throw sigmeshError(
        'PEER_MESSAGE_TOO_LARGE',
        `${size} bytes; this connection carries at most ${max} per message`,
      );
    if (binary === undefined) channel.send(JSON.stringify({ t: 'message', data }));
    else channel.send(binary as Uint8Array<ArrayBuffer>);
    if (channel.bufferedAmount > HIGH_WATER_BYTES) await drained(channel);
  }

  /** Sends this stream's tracks (after announcing its metadata on the data channel). */
  addStream(stream: MediaStream, metadata: unknown): void {
    this.#frame({ t: 'stream', stream: stream.id, metadata: metadata ?? null });
    const sending = new Set(this.pc.getSenders().map((sender) => sender.track));
    for (const track of stream.getTracks())
      if (!sending.has(track)) this.pc.addTrack(track, stream);
  }

  removeStream(stream: MediaStream): void {
    const tracks = new Set<MediaStreamTrack>(stream.getTracks());
    for (const sender of this.pc.getSenders())
      if (sender.track !== null && tracks.has(sender.track)) this.pc.removeTrack(sender);
  }

  /**
   * Closes the connection; `bye` tells the other side it was on purpose, so it can let go at once
   * instead of trying an ICE restart. The connection itself closes once the bye is flushed.
   */
  close(bye = false): void {
    if (this.#closed) return;
    const channel = this.#channel;
    if (!bye || channel?.readyState !== 'open') {
      this.#shutdown(undefined);
      return;
    }
    this.#frame({ t: 'bye' });
    this.#shutdown(undefined, channel);
  }

  #wire(): void {
    const pc = this.pc;
    pc.onnegotiationneeded = () => void this.#offer();
    pc.onicecandidate = (event) => {
      const candidate = event.candidate;
      if (candidate === null) {
        this.#batcher.push({ type: 'candidate', candidate: null });
        this.#batcher.flushNow();
        return;
      }
      if (candidate.candidate === '') return;
      this.#batcher.push({
        type: 'candidate',
        candidate: {
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid ?? null,
          sdpMLineIndex: candidate.sdpMLineIndex ?? null,
        },
      });
    };
    pc.ontrack = (event) => {
      const stream = event.streams[0];
      if (stream === undefined) return;
      if (!this.#announced.has(stream.id)) {
        this.#announced.add(stream.id);
        stream.onremovetrack = () => {
          if (stream.getTracks().length === 0) {
            this.#announced.delete(stream.id);
            this.#handlers.streamRemoved(this, stream);
          }
        };
      }
      this.#handlers.track(this, event.track, stream, this.#metadata.get(stream.id) ?? null);
    };
    pc.onconnectionstatechange = () => this.#onConnectionState();
  }

  #openChannel(): void {
    if (this.#channel !== undefined || this.#closed) return;
    const channel = this.pc.createDataChannel('sigmesh', { negotiated: true, id: 0 });
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
    this.#channel = channel;
    channel.onopen = () => {
      if (this.#opened || this.#closed) return;
      this.#opened = true;
      this.#handlers.open(this);
      void this.#updateRoute();
    };
    channel.onclose = () => {
      if (this.#opened && !this.#closed) this.#shutdown(undefined);
    };
    channel.onmessage = (event: MessageEvent) => this.#onFrame(event.data);
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      // A remote offer applied meanwhile replaced ours: do not send a stale one.
      if (this.pc.signalingState === 'have-local-offer') this.#pushDescription();
    } catch (error) {
      this.#handlers.error(this, asError(error));
    } finally {
      this.#makingOffer = false;
    }
  }

  async #apply(signal: PeerSignal): Promise<void> {
    if (this.#closed) return;
    const pc = this.pc;
    if (signal.type === 'candidate') {
      if (pc.remoteDescription === null) {
        this.#pendingCandidates.push(signal);
        return;
      }
      await this.#addCandidate(signal);
      return;
    }
    const collision =
      signal.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.#options.polite && collision;
    if (this.#ignoreOffer) return;
    if (collision) await pc.setLocalDescription({ type: 'rollback' });
    if (signal.type === 'answer' && pc.signalingState !== 'have-local-offer') return;
    await pc.setRemoteDescription({ type: signal.type, sdp: signal.sdp });
    for (const candidate of this.#pendingCandidates.splice(0)) await this.#addCandidate(candidate);
    if (signal.type === 'offer') {
      this.#openChannel();
      await pc.setLocalDescription();
      this.#pushDescription();
    }
  }

  async #addCandidate(signal: CandidateSignal): Promise<void> {
    try {
      await this.pc.addIceCandidate(signal.candidate ?? undefined);
    } catch (error) {
      if (!this.#ignoreOffer) throw error;
    }
  }

  #pushDescription(): void {
    const description = this.pc.localDescription;
    if (description === null || (description.type !== 'offer' && description.type !== 'answer'))
      return;
    this.#batcher.push({ type: description.type, sdp: description.sdp });
  }

  /** Over the data channel once it is open; through the nodes before. */
  async #deliver(signals: readonly PeerSignal[]): Promise<void> {
    if (this.#closed) return;
    if (this.#channel?.readyState === 'open') this.#frame({ t: 'signal', signals });
    else await this.#handlers.sendViaRoom(this, signals);
  }

  #frame(frame: PeerFrame): void {
    if (this.#channel?.readyState === 'open') this.#channel.send(JSON.stringify(frame));
  }

  #onFrame(data: unknown): void {
    if (typeof data !== 'string') {
      const bytes = toBytes(data);
      if (bytes !== undefined) this.#handlers.message(this, bytes);
      return;
    }
    const frame = parsePeerFrame(data);
    if (!frame.ok) return;
    switch (frame.value.t) {
      case 'message':
        this.#handlers.message(this, frame.value.data);
        return;
      case 'signal':
        this.receive(frame.value.signals);
        return;
      case 'stream':
        if (this.#metadata.size < 256) this.#metadata.set(frame.value.stream, frame.value.metadata);
        return;
      case 'bye':
        this.#shutdown(undefined);
        return;
    }
  }

  #onConnectionState(): void {
    const state = this.pc.connectionState;
    this.#handlers.stateChanged(this);
    if (state === 'connected') {
      this.#restartDeadline = undefined;
      void this.#updateRoute();
    } else if (state === 'disconnected') {
      this.#later(DISCONNECTED_RESTART_MS, () => {
        if (this.pc.connectionState === 'disconnected') this.#restart();
      });
    } else if (state === 'failed') {
      this.#restart();
    } else if (state === 'closed') {
      this.#shutdown(undefined);
    }
  }

  /** ICE restart; gives up when the connection stays failed for {@link RESTART_GIVE_UP_MS}. */
  #restart(): void {
    const now = Date.now();
    if (this.#restartDeadline !== undefined && now > this.#restartDeadline) {
      this.#shutdown(
        sigmeshError(
          'PEER_CONNECTION_FAILED',
          `no route to peer ${this.id}, even after an ICE restart`,
        ),
      );
      return;
    }
    this.#restartDeadline ??= now + RESTART_GIVE_UP_MS;
    this.pc.restartIce();
    this.#later(RESTART_GIVE_UP_MS + 500, () => {
      const state = this.pc.connectionState;
      if (state === 'failed' || state === 'disconnected' || state === 'connecting') this.#restart();
    });
  }

  /** The data channel is still not open: send what the other side needs again (stall-nudge.ts). */
  #nudge(attempt: number): void {
    if (this.#opened) return;
    if (attempt > STALL_NUDGES) {
      this.#shutdown(
        sigmeshError(
          'PEER_CONNECTION_FAILED',
          `no data channel to peer ${this.id} after ${STALL_NUDGES} renewed offers`,
        ),
      );
      return;
    }
    const pc = this.pc;
    const action = nudgeAction({
      signalingState: pc.signalingState,
      connectionState: pc.connectionState,
      hasRemoteDescription: pc.remoteDescription !== null,
      makingOffer: this.#makingOffer,
      signalsIdle: this.#batcher.idle,
    });
    try {
      if (action === 'resend-offer') this.#pushDescription();
      else if (action === 'restart-ice') pc.restartIce();
      else if (action === 'offer') {
        this.#openChannel();
        void this.#offer();
      }
    } catch (error) {
      this.#handlers.error(this, asError(error));
    }
    this.#later(nudgeDelayMs(attempt + 1, this.#options.polite), () => this.#nudge(attempt + 1));
  }

  async #updateRoute(): Promise<void> {
    const route = await connectionRoute(this.pc);
    if (route !== this.route) {
      this.route = route;
      this.#handlers.stateChanged(this);
    }
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) run();
    }, ms);
    this.#timers.add(timer);
  }

  #shutdown(error: Error | undefined, flushing?: RTCDataChannel): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#batcher.close();
    const closeAll = (): void => {
      this.#channel?.close();
      this.pc.close();
    };
    if (flushing === undefined) closeAll();
    else void Promise.race([drained(flushing, 0), delay(BYE_FLUSH_MS)]).then(closeAll);
    this.#handlers.closed(this, error);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
