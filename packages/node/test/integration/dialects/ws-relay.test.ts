/**
 * The ws-relay dialect on one node, with raw `ws` clients sending exactly what Trystero's
 * `@trystero-p2p/ws-relay` client sends (packages/ws-relay/src/index.ts in dmotz/trystero: that
 * package is not on the npm registry, so the real client cannot be installed) and expecting what
 * its reference server (server.ts) answers: `{ topic, payload }` to every subscriber, the sender
 * included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseWsRelayClientMessage } from '@sigmesh/protocol';
import { DialectSocket, dialectUrl } from '../../helpers/dialect-socket.js';
import { startTestNode } from '../../helpers/test-node.js';

const is = (expected: unknown) => (value: unknown) =>
  JSON.stringify(value) === JSON.stringify(expected);
const error = (code: string) => (value: unknown) =>
  (value as { type?: string; code?: string }).type === 'error' &&
  (value as { code: string }).code === code;

/** Waits until the node has handled everything `socket` sent so far (frames of one socket are handled in order). */
async function synced(socket: DialectSocket, name: string): Promise<void> {
  socket.send({ type: 'subscribe', topic: `sync-${name}` });
  socket.send({ type: 'publish', topic: `sync-${name}`, payload: 'sync' });
  await socket.next(is({ topic: `sync-${name}`, payload: 'sync' }));
}

test('subscribe, publish to every subscriber (the sender too), unsubscribe', async (t) => {
  const node = await startTestNode(t);
  const url = dialectUrl(node.url(), '/ws-relay');
  const [a, b, c] = await Promise.all([
    DialectSocket.open(t, url),
    DialectSocket.open(t, url),
    DialectSocket.open(t, url),
  ]);
  a.send({ type: 'subscribe', topic: 'root' });
  b.send({ type: 'subscribe', topic: 'root' });
  c.send({ type: 'subscribe', topic: 'elsewhere' });
  await Promise.all([synced(a, 'a'), synced(b, 'b'), synced(c, 'c')]);
  a.send({ type: 'publish', topic: 'root', payload: '{"peerId":"a"}' });
  await a.next(is({ topic: 'root', payload: '{"peerId":"a"}' }));
  await b.next(is({ topic: 'root', payload: '{"peerId":"a"}' }));
  // Any JSON payload is relayed as the reference server does, not only Trystero's strings.
  b.send({ type: 'publish', topic: 'root', payload: { n: 1, list: [true, null] } });
  await a.next(is({ topic: 'root', payload: { n: 1, list: [true, null] } }));
  a.send({ type: 'unsubscribe', topic: 'root' });
  await synced(a, 'a2');
  b.send({ type: 'publish', topic: 'root', payload: 'after a left' });
  await b.next(is({ topic: 'root', payload: 'after a left' }));
  // A publish to a topic without subscribing (a signal to another peer's self topic).
  c.send({ type: 'publish', topic: 'root', payload: 'from outside' });
  await b.next(is({ topic: 'root', payload: 'from outside' }));
  assert.equal(
    a.received.filter((f) => (f as { payload: unknown }).payload === 'after a left').length,
    0,
  );
  assert.deepEqual(
    c.received.filter((f) => !(f as { topic: string }).topic.startsWith('sync-')),
    [],
  );
});

test('malformed frames get an error frame Trystero ignores, and the connection keeps working', async (t) => {
  const node = await startTestNode(t);
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/ws-relay'));
  socket.send('{not json');
  socket.send({ type: 'subscribe' });
  socket.send({ type: 'publish', topic: 't' });
  socket.send(['REQ', 'sub', {}]);
  await socket.next(
    (v) => error('TOPIC_MESSAGE_INVALID')(v) && /\/nostr/.test((v as { message: string }).message),
  );
  assert.equal(socket.all(error('TOPIC_MESSAGE_INVALID')).length, 4);
  for (const frame of socket.received)
    assert.equal((frame as { topic?: unknown }).topic, undefined, 'no topic: Trystero drops it');
  socket.send({ type: 'subscribe', topic: 't' });
  socket.send({ type: 'publish', topic: 't', payload: 'fine' });
  await socket.next(is({ topic: 't', payload: 'fine' }));
});

test('over the budget or the topic cap: an error frame, and the rest still works', async (t) => {
  const node = await startTestNode(t, {
    topicsEventsPerSecond: 0.1,
    topicsEventBurst: 1,
    topicsMaxTopicsPerConnection: 1,
  });
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/ws-relay'));
  socket.send({ type: 'subscribe', topic: 'one' });
  socket.send({ type: 'subscribe', topic: 'two' });
  await socket.next(error('TOPIC_LIMIT_REACHED'));
  socket.send({ type: 'publish', topic: 'one', payload: 'first' });
  socket.send({ type: 'publish', topic: 'one', payload: 'second' });
  await socket.next(error('TOPIC_RATE_LIMITED'));
  await socket.next(is({ topic: 'one', payload: 'first' }));
  assert.equal(socket.all(is({ topic: 'one', payload: 'second' })).length, 0);
});

test('200 random frames: an error frame for each malformed one, and the connection still works', async (t) => {
  const node = await startTestNode(t);
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/ws-relay'));
  const frames = fc.sample(
    fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record({
          type: fc.constantFrom('subscribe', 'unsubscribe', 'publish', 'join'),
          topic: fc.jsonValue(),
        })
        .map((value) => JSON.stringify(value)),
    ),
    { numRuns: 200, seed: 7 },
  );
  let malformed = 0;
  for (const text of frames) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    if (!parseWsRelayClientMessage(value).ok) malformed++;
    socket.send(text);
  }
  await synced(socket, 'after-fuzz');
  assert.equal(socket.all(error('TOPIC_MESSAGE_INVALID')).length, malformed);
});
