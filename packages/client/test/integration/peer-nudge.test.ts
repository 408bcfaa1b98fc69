import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { ClientId, PeerSignal } from '@sigmesh/protocol';
import { RTCPeerConnection } from 'werift';
import { Peer, type PeerConnectionFactory, type PeerHandlers } from '../../src/peers/peer.js';

// Two peers (werift) whose signals travel through a lossy "room": the first batch carrying the
// description named in `lose` never arrives, as when a post is refused by every route after the
// client's retries. Each negotiation must still open its data channel, nudged (docs/client.md §
// Peers).

interface Lossy {
  /** The first batch from the impolite side carrying this kind of description is lost. */
  fromImpolite?: 'offer' | 'answer';
  /** The first batch from the polite side carrying this kind of description is lost. */
  fromPolite?: 'offer' | 'answer';
}

function pair(t: TestContext, lose: Lossy): { opened: Promise<void>; errors: Error[] } {
  const errors: Error[] = [];
  const peers: Peer[] = [];
  let resolveOpen!: () => void;
  let open = 0;
  const opened = new Promise<void>((resolve) => (resolveOpen = resolve));
  const make = (id: string, polite: boolean, lose: 'offer' | 'answer' | undefined): Peer => {
    let lost = false;
    const handlers: PeerHandlers = {
      open: () => {
        if (++open === 2) resolveOpen();
      },
      closed: () => undefined,
      message: () => undefined,
      track: () => undefined,
      streamRemoved: () => undefined,
      stateChanged: () => undefined,
      sendViaRoom: (_peer, signals: readonly PeerSignal[]) => {
        if (!lost && signals.some((signal) => signal.type === lose)) lost = true;
        else peers.find((p) => p !== peer)?.receive(signals);
        return Promise.resolve();
      },
      error: (_peer, error) => errors.push(error),
    };
    const peer = new Peer({
      id: id as ClientId,
      polite,
      configuration: { iceAdditionalHostAddresses: ['127.0.0.1'] } as RTCConfiguration,
      RTCPeerConnection: RTCPeerConnection as unknown as PeerConnectionFactory,
      handlers,
    });
    return peer;
  };
  // Each side is built with the other's id, as a room does.
  peers.push(make('b'.repeat(32), false, lose.fromImpolite));
  peers.push(make('a'.repeat(32), true, lose.fromPolite));
  t.after(() => peers.forEach((p) => p.close()));
  return { opened, errors };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('the first offer is lost: the impolite side sends it again and the channel opens', async (t) => {
  const { opened } = pair(t, { fromImpolite: 'offer' });
  await within(opened, 20_000, 'the data channel to open after a lost offer');
});

test('the first answer is lost: the offer is sent again, answered again, and the channel opens', async (t) => {
  const { opened } = pair(t, { fromPolite: 'answer' });
  await within(opened, 20_000, 'the data channel to open after a lost answer');
});

test('nothing lost: the channel opens at once, and no nudge is needed', async (t) => {
  const started = Date.now();
  const { opened, errors } = pair(t, {});
  await within(opened, 7_000, 'the data channel to open');
  assert.ok(Date.now() - started < 7_000);
  assert.deepEqual(errors, []);
});
