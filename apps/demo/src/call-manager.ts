import type { ClientId, Room } from '@sigmesh/client';
import { sendAppMessage, type AppMessage } from './app-messages.js';
import { describeError } from './describe-error.js';
import { openCameraAndMicrophone, openScreen, stopTracks } from './local-media.js';
import { SELF, type MediaGrid } from './media-grid.js';
import type { PeerDirectory } from './peer-directory.js';

/** An unanswered call is given up after this long. */
const RING_MS = 45_000;

export type CallState = 'outgoing' | 'incoming' | 'active';

interface Call {
  /** Chosen by the caller; answers about another id are stale and ignored. */
  id: string;
  state: CallState;
  timer?: ReturnType<typeof setTimeout>;
}

export interface CallReports {
  /** Call states, mute or sharing changed: redraw the controls. */
  changed(): void;
  note(text: string): void;
  error(text: string): void;
}

type CallMessage = Extract<
  AppMessage,
  { type: 'call-invite' | 'call-accept' | 'call-decline' | 'call-end' | 'screen-end' }
>;

/**
 * One-to-one calls with any number of peers at once (a mesh): invite → accept or decline → media
 * both ways → hang up. Our camera stream is opened once for all calls and sent to each peer with
 * `room.addStream(stream, { peerId, metadata: { kind: 'camera' } })`; a screen share goes to every
 * active call with `{ kind: 'screen' }`. When the last call ends every local track is stopped.
 */
export class CallManager {
  readonly #room: Room;
  readonly #peers: PeerDirectory;
  readonly #media: MediaGrid;
  readonly #reports: CallReports;
  readonly #calls = new Map<ClientId, Call>();
  #camera: MediaStream | undefined;
  #opening: Promise<MediaStream | undefined> | undefined;
  #screen: MediaStream | undefined;
  #muted = false;
  #cameraOff = false;
  readonly #video: boolean;

  /** `video: false`: calls send the microphone only (an audio call between people). */
  constructor(
    room: Room,
    peers: PeerDirectory,
    media: MediaGrid,
    reports: CallReports,
    video = true,
  ) {
    this.#room = room;
    this.#peers = peers;
    this.#media = media;
    this.#reports = reports;
    this.#video = video;
  }

  state(peerId: ClientId): CallState | undefined {
    return this.#calls.get(peerId)?.state;
  }

  /** Peers calling us and waiting for an answer. */
  incoming(): ClientId[] {
    return [...this.#calls].filter(([, call]) => call.state === 'incoming').map(([id]) => id);
  }

  /** A call is under way or ringing out: show the call controls. */
  get inCall(): boolean {
    return [...this.#calls.values()].some((call) => call.state !== 'incoming');
  }

  get active(): boolean {
    return [...this.#calls.values()].some((call) => call.state === 'active');
  }

  get muted(): boolean {
    return this.#muted;
  }

  get cameraOff(): boolean {
    return this.#cameraOff;
  }

  get sharingScreen(): boolean {
    return this.#screen !== undefined;
  }

  async start(peerId: ClientId): Promise<void> {
    if (this.#calls.has(peerId)) return;
    const call: Call = { id: randomId(), state: 'outgoing' };
    this.#calls.set(peerId, call);
    this.#reports.changed();
    await this.#openCamera();
    if (this.#calls.get(peerId) !== call) return; // hung up while the camera opened
    try {
      await sendAppMessage(this.#room, { type: 'call-invite', call: call.id }, peerId);
    } catch (error) {
      this.#end(peerId);
      this.#reports.error(`Could not call ${this.#peers.name(peerId)}: ${describeError(error)}`);
      return;
    }
    call.timer = setTimeout(() => {
      if (this.#calls.get(peerId) !== call || call.state !== 'outgoing') return;
      this.hangUp(peerId);
      this.#reports.note(`${this.#peers.name(peerId)} did not answer.`);
    }, RING_MS);
    this.#reports.note(`Calling ${this.#peers.name(peerId)}…`);
  }

  async accept(peerId: ClientId): Promise<void> {
    const call = this.#calls.get(peerId);
    if (call?.state !== 'incoming') return;
    call.state = 'active';
    this.#reports.changed();
    await this.#openCamera();
    if (this.#calls.get(peerId) !== call) return; // the caller gave up meanwhile
    try {
      await sendAppMessage(this.#room, { type: 'call-accept', call: call.id }, peerId);
    } catch (error) {
      this.#end(peerId);
      this.#reports.error(`The call could not start: ${describeError(error)}`);
      return;
    }
    this.#share(peerId);
    this.#reports.note(`In a call with ${this.#peers.name(peerId)}.`);
  }

  decline(peerId: ClientId): void {
    const call = this.#calls.get(peerId);
    if (call?.state !== 'incoming') return;
    this.#tell(peerId, { type: 'call-decline', call: call.id, reason: 'declined' });
    this.#end(peerId);
  }

  /** Ends the call with `peerId`: stops sending to it and tells it to drop our video. */
  hangUp(peerId: ClientId): void {
    const call = this.#calls.get(peerId);
    if (call === undefined) return;
    this.#tell(peerId, { type: 'call-end', call: call.id });
    this.#end(peerId);
  }

  hangUpAll(): void {
    for (const peerId of [...this.#calls.keys()]) {
      if (this.#calls.get(peerId)?.state === 'incoming') this.decline(peerId);
      else this.hangUp(peerId);
    }
  }

  onMessage(message: CallMessage, from: ClientId): void {
    const call = this.#calls.get(from);
    const name = this.#peers.name(from);
    switch (message.type) {
      case 'call-invite':
        if (call === undefined) {
          this.#calls.set(from, { id: message.call, state: 'incoming' });
          this.#reports.changed();
        } else if (call.state === 'outgoing' && this.#room.selfId > from) {
          // Both called at once: the larger id takes the other's call (the other ignores ours).
          clearTimeout(call.timer);
          call.id = message.call;
          call.state = 'incoming';
          void this.accept(from);
        }
        return;
      case 'call-accept':
        if (call?.state !== 'outgoing' || call.id !== message.call) return;
        clearTimeout(call.timer);
        call.state = 'active';
        this.#share(from);
        this.#reports.changed();
        this.#reports.note(`${name} answered.`);
        return;
      case 'call-decline':
        if (call?.state !== 'outgoing' || call.id !== message.call) return;
        this.#end(from);
        this.#reports.note(`${name} declined the call.`);
        return;
      case 'call-end':
        if (call === undefined || call.id !== message.call) return;
        this.#end(from);
        this.#reports.note(
          call.state === 'incoming' ? `Missed call from ${name}.` : `${name} hung up.`,
        );
        return;
      case 'screen-end':
        this.#media.remove(from, message.stream);
        return;
    }
  }

  peerLeft(peerId: ClientId): void {
    if (this.#calls.has(peerId)) this.#end(peerId);
    this.#media.removeOwner(peerId);
  }

  toggleMute(): void {
    this.#muted = !this.#muted;
    this.#applyTrackSwitches();
  }

  toggleCamera(): void {
    this.#cameraOff = !this.#cameraOff;
    this.#applyTrackSwitches();
  }

  async toggleScreen(): Promise<void> {
    if (this.#screen !== undefined) {
      this.#stopScreen();
      return;
    }
    let screen: MediaStream;
    try {
      screen = await openScreen();
    } catch (error) {
      this.#reports.error(`Screen sharing did not start: ${describeError(error)}`);
      return;
    }
    if (!this.active || this.#screen !== undefined) {
      stopTracks(screen);
      return;
    }
    this.#screen = screen;
    // The browser's own "Stop sharing" button ends the track.
    for (const track of screen.getVideoTracks())
      track.addEventListener('ended', () => {
        if (this.#screen === screen) this.#stopScreen();
      });
    this.#media.show(SELF, screen, 'screen', 'Your screen');
    for (const [peerId, call] of this.#calls)
      if (call.state === 'active')
        this.#room.addStream(screen, { peerId, metadata: { kind: 'screen' } });
    this.#reports.changed();
  }

  /** The room is being left: end everything without waiting for answers. */
  dispose(): void {
    this.hangUpAll();
    this.#release();
  }

  async #openCamera(): Promise<MediaStream | undefined> {
    if (this.#camera !== undefined) return this.#camera;
    this.#opening ??= openCameraAndMicrophone(this.#video).then(
      (stream) => stream,
      (error: unknown) => {
        this.#reports.error(
          `No camera or microphone (${describeError(error)}); the call goes on without sending yours.`,
        );
        return undefined;
      },
    );
    const stream = await this.#opening;
    this.#opening = undefined;
    if (stream === undefined) return undefined;
    if (this.#calls.size === 0) {
      stopTracks(stream); // every call ended while the camera was opening
      return undefined;
    }
    if (this.#camera !== undefined) {
      if (this.#camera !== stream) stopTracks(stream);
      return this.#camera;
    }
    this.#camera = stream;
    this.#applyTrackSwitches();
    this.#media.show(SELF, stream, 'camera', 'You');
    return stream;
  }

  /** Sends our camera (and screen, if shared) to a peer whose call just became active. */
  #share(peerId: ClientId): void {
    if (this.#camera !== undefined)
      this.#room.addStream(this.#camera, { peerId, metadata: { kind: 'camera' } });
    if (this.#screen !== undefined)
      this.#room.addStream(this.#screen, { peerId, metadata: { kind: 'screen' } });
  }

  #end(peerId: ClientId): void {
    const call = this.#calls.get(peerId);
    if (call === undefined) return;
    clearTimeout(call.timer);
    this.#calls.delete(peerId);
    if (this.#camera !== undefined) this.#room.removeStream(this.#camera, peerId);
    if (this.#screen !== undefined) this.#room.removeStream(this.#screen, peerId);
    this.#media.removeOwner(peerId);
    if (![...this.#calls.values()].some((other) => other.state !== 'incoming')) this.#release();
    this.#reports.changed();
  }

  #stopScreen(): void {
    const screen = this.#screen;
    if (screen === undefined) return;
    this.#screen = undefined;
    for (const [peerId, call] of this.#calls) {
      if (call.state !== 'active') continue;
      this.#room.removeStream(screen, peerId);
      this.#tell(peerId, { type: 'screen-end', stream: screen.id });
    }
    stopTracks(screen);
    this.#media.remove(SELF, screen.id);
    this.#reports.changed();
  }

  /** No call left: camera and microphone off, screen share stopped. */
  #release(): void {
    this.#stopScreen();
    if (this.#camera !== undefined) {
      stopTracks(this.#camera);
      this.#media.remove(SELF, this.#camera.id);
      this.#camera = undefined;
    }
    this.#muted = false;
    this.#cameraOff = false;
  }

  #applyTrackSwitches(): void {
    for (const track of this.#camera?.getAudioTracks() ?? []) track.enabled = !this.#muted;
    for (const track of this.#camera?.getVideoTracks() ?? []) track.enabled = !this.#cameraOff;
    this.#reports.changed();
  }

  #tell(peerId: ClientId, message: AppMessage): void {
    sendAppMessage(this.#room, message, peerId).catch(() => undefined);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
