/**
 * Trystero's topic traffic across a 3-node testnet (loopback DHT), each client on a different
 * node, over raw Nostr sockets that send exactly what Trystero's Nostr strategy sends: a REQ for
 * the root and self topics, announces on the root topic, signals on other peers' self topics.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { NostrEvent } from '@sigmesh/protocol';
import type { SigmeshNode } from '../../../src/index.js';
import { DialectSocket, dialectUrl, frame } from '../../helpers/dialect-socket.js';
import { newKey, topicEvent, trysteroKind } from '../../helpers/nostr-events.js';
import { topicRoom } from '../../../src/dialects/topics/topic-bus.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * Every node of these testnets runs in this one process on a shared 2-core machine, where the
 * event loop's measured load can pass 0.95 and refuse new dialect connections (as it should;
 * nostr-relay.test.ts shows it): the load is fixed at 0 so these tests measure federation.
 */
const idle = { load: { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) } };

/** A page's Nostr connection: subscribed to its room's root topic and its own self topic. */
class Page {
  readonly key = newKey();
  constructor(
    readonly socket: DialectSocket,
    readonly root: string,
    readonly self: string,
  ) {}

  static async join(t: TestContext, node: SigmeshNode, root: string, self: string): Promise<Page> {
    const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
    const page = new Page(socket, root, self);
    const since = Math.floor(Date.now() / 1000);
    socket.send([
      'REQ',
      `sub-${self}`,
      { kinds: [trysteroKind(root), trysteroKind(self)], since, '#x': [root, self] },
    ]);
    await socket.next(frame('EOSE'));
    return page;
  }

  /** Publishes on `topic` and waits for its OK. */
  async publish(topic: string, content: string): Promise<NostrEvent> {
    const event = topicEvent(this.key, topic, content);
    this.socket.send(['EVENT', event]);
    const ok = await this.socket.next<unknown[]>(frame('OK', event.id));
    assert.equal(ok[2], true, `OK for ${content}: ${String(ok[3])}`);
    return event;
  }

  announce(peerId: string): Promise<NostrEvent> {
    return this.publish(this.root, JSON.stringify({ peerId }));
  }

  /** Contents received on `topic`. */
  heard(topic: string): string[] {
    return this.socket
      .all(frame('EVENT'))
      .map((f) => (f as [string, string, NostrEvent])[2])
      .filter((event) => event.tags.some((tag) => tag[0] === 'x' && tag[1] === topic))
      .map((event) => event.content);
  }
}

test('root topics meet across nodes, announces made before the link included; self topics reach their node only', async (t) => {
  const net = await startTestnet(t, { nodes: 3, nodeOptions: idle });
  const [n1, n2, n3] = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  const a = await Page.join(t, n1, 'room-root', 'self-a');
  await a.announce('peer-a');
  // A's only announce was made while no other node had the room: it must still reach B.
  const b = await Page.join(t, n2, 'room-root', 'self-b');
  await b.announce('peer-b');
  // The nodes find each other on the DHT first: on a loaded machine that can take seconds. On a
  // timeout, say whether they had linked and seen each other's members.
  const room = topicRoom('room-root');
  try {
    await waitFor(
      () => a.heard('room-root').includes('{"peerId":"peer-b"}'),
      'B’s announce replayed to A',
      30_000,
    );
    await waitFor(
      () => b.heard('room-root').includes('{"peerId":"peer-a"}'),
      'A’s announce replayed to B',
      30_000,
    );
  } catch (error) {
    const view = [n1, n2].map((n) => ({
      links: n.meshStats().links,
      remote: n.remoteMembers(room).length,
      refused: n.meshStats().messagesRefused,
      received: n.meshStats().roomFramesReceived,
    }));
    const metrics = await Promise.all(
      [n1, n2].map(async (n) =>
        (await (await fetch(`${n.url()}/metrics`)).text())
          .split('\n')
          .filter((line) => line.startsWith('sigmesh_dialect_events_total{dialect="nostr"'))
          .join(' '),
      ),
    );
    throw new Error(
      `${(error as Error).message}; nodes 1 and 2: ${JSON.stringify(view)} ${metrics.join(' | ')}`,
    );
  }

  // C on node 3 subscribes to A's self topic too, but shares no root topic with B.
  const c = await Page.join(t, n3, 'other-root', 'self-a');
  await c.announce('peer-c');
  // B signals A on A's self topic, which B never subscribed to: through B's root topic's room.
  await b.publish('self-a', JSON.stringify({ peerId: 'peer-b', offer: 'cipher' }));
  await waitFor(() => a.heard('self-a').length === 1, 'B’s offer at A');
  assert.deepEqual(a.heard('self-a'), ['{"peerId":"peer-b","offer":"cipher"}']);
  await a.publish('self-b', JSON.stringify({ peerId: 'peer-a', answer: 'cipher' }));
  await waitFor(() => b.heard('self-b').length === 1, 'A’s answer at B');
  // Node 3 is not in the room of B's root topic: it never saw the offer.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(c.heard('self-a'), []);
  assert.deepEqual(a.heard('other-root'), []);
});

test('one event sent through two nodes reaches a subscriber on a third once', async (t) => {
  const net = await startTestnet(t, { nodes: 3, nodeOptions: idle });
  const [n1, n2, n3] = net.nodes as [SigmeshNode, SigmeshNode, SigmeshNode];
  const listener = await Page.join(t, n3, 'shared', 'self-l');
  await listener.announce('listener');
  const viaOne = await Page.join(t, n1, 'shared', 'self-x');
  const viaTwo = await DialectSocket.open(t, dialectUrl(n2.url(), '/nostr'));
  viaTwo.send(['REQ', 'x2', { '#x': ['shared', 'self-x'] }]);
  await viaTwo.next(frame('EOSE'));
  await viaOne.announce('x');
  await waitFor(() => listener.heard('shared').length === 1, 'x’s first announce at the listener');
  // The page lists both nodes: its next event goes to both, as Trystero sends to every relay.
  const event = topicEvent(viaOne.key, 'shared', 'twice');
  viaOne.socket.send(['EVENT', event]);
  viaTwo.send(['EVENT', event]);
  await viaOne.socket.next(frame('OK', event.id));
  await viaTwo.next(frame('OK', event.id));
  await waitFor(() => listener.heard('shared').includes('twice'), 'the event at the listener');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(listener.heard('shared').filter((c) => c === 'twice').length, 1);
});

test('ws-relay clients meet across nodes on the same bus and hear Nostr events as content', async (t) => {
  const net = await startTestnet(t, { nodes: 2, nodeOptions: idle });
  const [n1, n2] = net.nodes as [SigmeshNode, SigmeshNode];
  const w1 = await DialectSocket.open(t, dialectUrl(n1.url(), '/ws-relay'));
  const w2 = await DialectSocket.open(t, dialectUrl(n2.url(), '/ws-relay'));
  for (const [socket, self] of [
    [w1, 'ws-self-1'],
    [w2, 'ws-self-2'],
  ] as const) {
    socket.send({ type: 'subscribe', topic: 'ws-root' });
    socket.send({ type: 'subscribe', topic: self });
    socket.send({ type: 'publish', topic: 'ws-root', payload: JSON.stringify({ peerId: self }) });
  }
  const on = (topic: string, payload: string) => (value: unknown) =>
    JSON.stringify(value) === JSON.stringify({ topic, payload });
  await w1.next(on('ws-root', '{"peerId":"ws-self-2"}'), 10_000);
  await w2.next(on('ws-root', '{"peerId":"ws-self-1"}'), 10_000);
  // The sender hears its own publish, as from Trystero's reference server.
  await w1.next(on('ws-root', '{"peerId":"ws-self-1"}'));
  w2.send({ type: 'publish', topic: 'ws-self-1', payload: 'offer for 1' });
  await w1.next(on('ws-self-1', 'offer for 1'));

  // A Nostr page on node 2 in the same root topic: ws-relay hears its event's content; the Nostr
  // page does not get ws-relay payloads (they carry no signature).
  const page = await Page.join(t, n2, 'ws-root', 'nostr-self');
  await page.announce('nostr-page');
  await w1.next(on('ws-root', '{"peerId":"nostr-page"}'));
  w1.send({ type: 'publish', topic: 'ws-root', payload: 'from ws-relay' });
  await w2.next(on('ws-root', 'from ws-relay'));
  assert.deepEqual(page.heard('ws-root'), ['{"peerId":"nostr-page"}']);
});
