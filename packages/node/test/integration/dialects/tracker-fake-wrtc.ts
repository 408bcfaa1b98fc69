import { randomBytes } from 'node:crypto';

/** The session descriptions a fake connection made, so tests can follow them through the mesh. */
export const madeDescriptions: string[] = [];

/**
 * A signaling-only RTCPeerConnection for bittorrent-tracker's Node client: its WebRTC (simple-peer
 * on node-datachannel) gathers no candidates on a loopback-only host and then never sends its
 * offer. This one produces a unique offer or answer at once and ends candidate gathering, so the
 * unchanged client runs its real tracker protocol (announces with offers, answers to relayed
 * offers, `peer` events when answers come back); it never connects.
 */
class FakePeerConnection {
  onicecandidate: ((event: { candidate: null }) => void) | null = null;
  onsignalingstatechange: (() => void) | null = null;
  onicegatheringstatechange: (() => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ondatachannel: (() => void) | null = null;
  ontrack: (() => void) | null = null;
  signalingState = 'stable';
  iceGatheringState = 'new';
  iceConnectionState = 'new';
  connectionState = 'new';
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;

  createDataChannel(label: string): Record<string, unknown> {
    return {
      label,
      binaryType: 'arraybuffer',
      bufferedAmount: 0,
      readyState: 'connecting',
      close() {},
      send() {},
    };
  }

  createOffer(): Promise<{ type: string; sdp: string }> {
    return Promise.resolve({ type: 'offer', sdp: describe('offer') });
  }

  createAnswer(): Promise<{ type: string; sdp: string }> {
    return Promise.resolve({ type: 'answer', sdp: describe('answer') });
  }

  setLocalDescription(description: { type: string; sdp: string }): Promise<void> {
    this.localDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-local-offer' : 'stable';
    this.onsignalingstatechange?.();
    setTimeout(() => {
      this.iceGatheringState = 'complete';
      this.onicecandidate?.({ candidate: null });
    }, 0);
    return Promise.resolve();
  }

  setRemoteDescription(description: { type: string; sdp: string }): Promise<void> {
    this.remoteDescription = description;
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable';
    this.onsignalingstatechange?.();
    return Promise.resolve();
  }

  addIceCandidate(): Promise<void> {
    return Promise.resolve();
  }

  getStats(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map<string, unknown>());
  }

  removeTrack(): void {}
  close(): void {}
}

function describe(type: string): string {
  const sdp = `v=0\r\no=- ${randomBytes(8).readBigUInt64BE()} 2 IN IP4 127.0.0.1\r\ns=fake ${type}\r\nt=0 0\r\n`;
  madeDescriptions.push(sdp);
  return sdp;
}

/** What to pass as bittorrent-tracker's `wrtc` option. */
export const fakeWrtc = {
  RTCPeerConnection: FakePeerConnection,
  RTCSessionDescription: class {
    readonly type: string;
    readonly sdp: string;
    constructor(init: { type: string; sdp: string }) {
      this.type = init.type;
      this.sdp = init.sdp;
    }
  },
  RTCIceCandidate: class {
    readonly candidate = '';
  },
};
