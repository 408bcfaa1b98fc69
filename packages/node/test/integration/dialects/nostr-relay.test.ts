/**
 * The Nostr dialect on one node, driven by nostr-tools' Relay client (an unchanged Nostr client)
 * and by raw sockets where the exact wire text matters: OK for every event with NIP-01 prefixes,
 * REQ replacement, CLOSE, EOSE, the clock window, NIP-11 with CORS, and refusals that leave the
 * connection working.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { parseNostrClientMessage, type NostrEvent } from '@sigmesh/protocol';
import { DialectSocket, dialectUrl, frame } from '../../helpers/dialect-socket.js';
import { newKey, topicEvent, trysteroKind } from '../../helpers/nostr-events.js';
import { nostrRelay } from '../../helpers/nostr-tools.js';
import { startTestNode } from '../../helpers/test-node.js';

nostrRelay.useWebSocketImplementation(WebSocket);

const now = (): number => Math.floor(Date.now() / 1000);

test('nostr-tools: a Trystero-shaped subscription gets EOSE, then live events on its topic, intact', async (t) => {
  const node = await startTestNode(t);
  const url = dialectUrl(node.url(), '/nostr');
  const [subscriber, publisher] = await Promise.all([
    nostrRelay.Relay.connect(url),
    nostrRelay.Relay.connect(url),
  ]);
  t.after(() => {
    subscriber.close();
    publisher.close();
  });
  const topic = 'i0aen1b2o614w3517243645a3o2p2fmh';
  const received: NostrEvent[] = [];
  await new Promise<void>((resolve) => {
    subscriber.subscribe([{ kinds: [trysteroKind(topic)], since: now(), '#x': [topic] }], {
      onevent: (event) => received.push(event),
      oneose: resolve,
    });
  });
  const event = topicEvent(newKey(), topic, JSON.stringify({ peerId: 'a'.repeat(20) }));
  assert.equal(await publisher.publish(event), '');
  await waitUntil(() => received.length === 1);
  // nostr-tools marks events it verified with a symbol: compare the wire form.
  assert.deepEqual(JSON.parse(JSON.stringify(received[0])), JSON.parse(JSON.stringify(event)));
  const other = topicEvent(newKey(), 'another-topic', 'not for this subscription');
  await publisher.publish(other);
  await publisher.publish(topicEvent(newKey(), topic, 'second'));
  await waitUntil(() => received.length === 2);
  assert.equal(received[1]!.content, 'second');
});

test('REQ with an existing id replaces it; CLOSE ends it; each REQ gets EOSE', async (t) => {
  const node = await startTestNode(t);
  const url = dialectUrl(node.url(), '/nostr');
  const sub = await DialectSocket.open(t, url);
  const pub = await DialectSocket.open(t, url);
  const key = newKey();
  sub.send(['REQ', 's1', { '#x': ['topic-a'] }]);
  await sub.next(frame('EOSE', 's1'));
  sub.send(['REQ', 's1', { '#x': ['topic-b'] }]);
  await waitUntil(() => sub.all(frame('EOSE', 's1')).length === 2);

  const onA = topicEvent(key, 'topic-a', 'a');
  const onB = topicEvent(key, 'topic-b', 'b');
  pub.send(['EVENT', onA]);
  await pub.next(frame('OK', onA.id));
  pub.send(['EVENT', onB]);
  await pub.next(frame('OK', onB.id));
  const got = await sub.next<[string, string, NostrEvent]>(frame('EVENT', 's1'));
  assert.equal(got[2].id, onB.id, 'the replaced filter (topic-a) no longer matches');
  assert.equal(sub.all(frame('EVENT')).length, 1);

  sub.send(['CLOSE', 's1']);
  // A REQ after the CLOSE (answered in order) proves the CLOSE was handled.
  sub.send(['REQ', 'probe', { '#x': ['elsewhere'] }]);
  await sub.next(frame('EOSE', 'probe'));
  const late = topicEvent(key, 'topic-b', 'after close');
  pub.send(['EVENT', late]);
  await pub.next(frame('OK', late.id));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(sub.all(frame('EVENT')).length, 1, 'nothing after CLOSE');
});

test('every EVENT gets an OK with the NIP-01 prefix of its fate', async (t) => {
  const node = await startTestNode(t);
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
  const key = newKey();
  const ok = async (event: NostrEvent): Promise<[string, string, boolean, string]> => {
    const from = socket.received.length;
    socket.send(['EVENT', event]);
    return socket.next(frame('OK', event.id), 5_000, from);
  };

  const good = topicEvent(key, 'topic', 'hello');
  assert.deepEqual(await ok(good), ['OK', good.id, true, '']);
  assert.deepEqual(await ok(good), ['OK', good.id, true, 'duplicate: already have this event']);

  const note = topicEvent(key, 'topic', 'a stored note', { kind: 1 });
  const [, , accepted, reason] = await ok(note);
  assert.equal(accepted, false);
  assert.match(reason, /^restricted: only ephemeral kinds 20000-29999/);

  const untagged = topicEvent(key, 'topic', 'no topic', { tags: [['t', 'topic']] });
  assert.match((await ok(untagged))[3], /^restricted: an event needs an x tag/);

  const forged = {
    ...topicEvent(key, 'topic', 'forged'),
    sig: topicEvent(key, 'topic', 'other').sig,
  };
  assert.deepEqual(await ok(forged), [
    'OK',
    forged.id,
    false,
    'invalid: the signature does not verify',
  ]);

  const tampered = { ...topicEvent(key, 'topic', 'original'), content: 'changed' };
  assert.match((await ok(tampered))[3], /^invalid: the id is not the SHA-256/);

  const ancient = topicEvent(key, 'topic', 'two days old', { created_at: now() - 2 * 86_400 });
  const [, , , tooOld] = await ok(ancient);
  assert.match(
    tooOld,
    /^invalid: created_at is 1728\d\d s from this relay's clock \(at most 86400 s\)$/,
  );
});

test('the clock window: a client hours off still reaches a subscriber whose since is now', async (t) => {
  const node = await startTestNode(t);
  const url = dialectUrl(node.url(), '/nostr');
  const sub = await DialectSocket.open(t, url);
  const pub = await DialectSocket.open(t, url);
  sub.send(['REQ', 'live', { kinds: [trysteroKind('room')], since: now(), '#x': ['room'] }]);
  await sub.next(frame('EOSE', 'live'));
  const behind = topicEvent(newKey(), 'room', 'clock 3 h behind', { created_at: now() - 3 * 3600 });
  const ahead = topicEvent(newKey(), 'room', 'clock 5 h ahead', { created_at: now() + 5 * 3600 });
  pub.send(['EVENT', behind]);
  pub.send(['EVENT', ahead]);
  assert.equal((await pub.next<unknown[]>(frame('OK', behind.id)))[2], true);
  assert.equal((await pub.next<unknown[]>(frame('OK', ahead.id)))[2], true);
  await waitUntil(() => sub.all(frame('EVENT', 'live')).length === 2);
});

test('NIP-11 on the same URL with CORS; a plain GET says what the URL is', async (t) => {
  const node = await startTestNode(t, { topicsMaxSubscriptionsPerConnection: 7 });
  const response = await fetch(`${node.url()}/nostr`, {
    headers: { accept: 'application/nostr+json', origin: 'https://app.example' },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/nostr\+json/);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  assert.ok(response.headers.get('access-control-allow-headers'));
  assert.match(response.headers.get('access-control-allow-methods') ?? '', /GET/);
  const info = (await response.json()) as {
    supported_nips: number[];
    limitation: Record<string, unknown>;
    version: string;
  };
  assert.deepEqual(info.supported_nips, [1, 11]);
  assert.equal(info.limitation.max_subscriptions, 7);
  assert.equal(info.limitation.restricted_writes, true);
  assert.equal(info.limitation.created_at_lower_limit, 86_400);
  const plain = await fetch(`${node.url()}/nostr`);
  assert.equal(plain.status, 200);
  assert.match(await plain.text(), /Nostr relay/);
});

test('malformed frames get NOTICE, OK false or CLOSED with invalid:, and the connection keeps working', async (t) => {
  const node = await startTestNode(t);
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
  socket.send('not json');
  assert.match((await socket.next<string[]>(frame('NOTICE')))[1]!, /^invalid: /);
  socket.send(['AUTH', 'x']);
  await waitUntil(() => socket.all(frame('NOTICE')).length === 2);
  socket.send(['EVENT', { id: 'f'.repeat(64), kind: 'not a number' }]);
  const refused = await socket.next<unknown[]>(frame('OK', 'f'.repeat(64)));
  assert.equal(refused[2], false);
  assert.match(refused[3] as string, /^invalid: /);
  socket.send(['REQ', 'bad', { kinds: ['x'] }]);
  assert.match((await socket.next<string[]>(frame('CLOSED', 'bad')))[2]!, /^invalid: kinds/);
  socket.send(['REQ', 'x'.repeat(65), {}]);
  await waitUntil(() => socket.all(frame('NOTICE')).length === 3);
  socket.send(['REQ', 'fine', { '#x': ['t'] }]);
  await socket.next(frame('EOSE', 'fine'));
  const event = topicEvent(newKey(), 't', 'still works');
  socket.send(['EVENT', event]);
  assert.equal((await socket.next<unknown[]>(frame('OK', event.id)))[2], true);
  await socket.next(frame('EVENT', 'fine'));
});

test('over the event budget: OK false "rate-limited:", never CLOSED, and the socket stays', async (t) => {
  const node = await startTestNode(t, { topicsEventsPerSecond: 0.1, topicsEventBurst: 2 });
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
  const key = newKey();
  const events = [1, 2, 3].map((n) => topicEvent(key, 't', `event ${n}`));
  for (const event of events) socket.send(['EVENT', event]);
  const third = await socket.next<unknown[]>(frame('OK', events[2]!.id));
  assert.equal(third[2], false);
  assert.match(third[3] as string, /^rate-limited: at most 0\.1 events per second per connection/);
  assert.equal(socket.all(frame('CLOSED')).length, 0);
  socket.send(['REQ', 'after', { '#x': ['t'] }]);
  await socket.next(frame('EOSE', 'after'));
});

test('over the subscription and topic caps: CLOSED "rate-limited:" for that REQ only', async (t) => {
  const node = await startTestNode(t, {
    topicsMaxSubscriptionsPerConnection: 2,
    topicsMaxTopicsPerConnection: 3,
  });
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
  socket.send(['REQ', 'a', { '#x': ['t1'] }]);
  socket.send(['REQ', 'b', { '#x': ['t2'] }]);
  socket.send(['REQ', 'c', { '#x': ['t3'] }]);
  assert.match(
    (await socket.next<string[]>(frame('CLOSED', 'c')))[2]!,
    /^rate-limited: at most 2 subscriptions/,
  );
  socket.send(['REQ', 'b', { '#x': ['t2', 't3', 't4', 't5'] }]);
  assert.match(
    (await socket.next<string[]>(frame('CLOSED', 'b')))[2]!,
    /^rate-limited: at most 3 topics per connection/,
  );
  // b is gone, so c fits now.
  socket.send(['REQ', 'c', { '#x': ['t3'] }]);
  await socket.next(frame('EOSE', 'c'));
});

test('connections per address and under load: refused at the upgrade with a catalog error', async (t) => {
  const node = await startTestNode(t, { topicsMaxConnectionsPerAddress: 2 });
  const url = dialectUrl(node.url(), '/nostr');
  await DialectSocket.open(t, url);
  await DialectSocket.open(t, dialectUrl(node.url(), '/ws-relay'));
  const refusal = await upgradeRefusal(url);
  assert.equal(refusal.status, 429);
  assert.equal(refusal.code, 'TOPIC_CONNECTIONS_PER_ADDRESS');

  const loaded = await startTestNode(t, {
    load: { current: () => ({ cpu: 1, mem: 0, smoothed: 0.97 }) },
  });
  const overloaded = await upgradeRefusal(dialectUrl(loaded.url(), '/nostr'));
  assert.equal(overloaded.status, 503);
  assert.equal(overloaded.code, 'TOPIC_CONNECTION_LIMIT');
});

test('a loaded node admits fewer events per connection', async (t) => {
  // Load 0.75 with the knee at 0.5: every event costs two tokens.
  const node = await startTestNode(t, {
    topicsEventsPerSecond: 0.1,
    topicsEventBurst: 4,
    load: { current: () => ({ cpu: 0.75, mem: 0, smoothed: 0.75 }) },
  });
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
  const key = newKey();
  const events = [1, 2, 3].map((n) => topicEvent(key, 't', `event ${n}`));
  for (const event of events) socket.send(['EVENT', event]);
  assert.equal((await socket.next<unknown[]>(frame('OK', events[1]!.id)))[2], true);
  const third = await socket.next<unknown[]>(frame('OK', events[2]!.id));
  assert.match(
    third[3] as string,
    /^rate-limited: this node is loaded: at most 0\.1 events per second/,
  );
});

async function upgradeRefusal(url: string): Promise<{ status: number; code: string }> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          code: (JSON.parse(body) as { code: string }).code,
        }),
      );
    });
  });
}

async function waitUntil(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('200 random frames: one answer each (a valid CLOSE excepted), and the connection still works', async (t) => {
  const node = await startTestNode(t);
  const socket = await DialectSocket.open(t, dialectUrl(node.url(), '/nostr'));
  const frames = fc.sample(
    fc.oneof(
      fc.string().map((text) => ({ text })),
      fc.jsonValue().map((value) => ({ text: JSON.stringify(value) })),
      fc
        .tuple(fc.constant('EVENT'), fc.jsonValue())
        .map((value) => ({ text: JSON.stringify(value) })),
      fc
        .tuple(fc.constant('REQ'), fc.string({ maxLength: 70 }), fc.jsonValue())
        .map((value) => ({ text: JSON.stringify(value) })),
      fc
        .tuple(fc.constant('CLOSE'), fc.string({ maxLength: 70 }))
        .map((value) => ({ text: JSON.stringify(value) })),
    ),
    { numRuns: 200, seed: 12 },
  );
  let silent = 0;
  for (const { text } of frames) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    const message = parseNostrClientMessage(value);
    if (message.ok && message.value.type === 'CLOSE') silent++;
    socket.send(text);
  }
  const answers = (): number =>
    socket.all(
      (f) => Array.isArray(f) && ['OK', 'EOSE', 'CLOSED', 'NOTICE'].includes(f[0] as string),
    ).length;
  await waitUntil(() => answers() >= frames.length - silent);
  socket.send(['REQ', 'after-fuzz', { '#x': ['t'] }]);
  await socket.next(frame('EOSE', 'after-fuzz'));
  assert.equal(answers(), frames.length - silent + 1);
});
