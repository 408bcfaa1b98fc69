import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveRoomHash, utf8 } from '@sigmesh/protocol';
import { challengeFor, rawRequest, solveToken } from '../helpers/raw-http.js';
import { joinRoom } from '../helpers/room-client.js';
import { startTestNode } from '../helpers/test-node.js';

const room = deriveRoomHash('test-app', 'bad-input');

async function paidPost(
  baseUrl: string,
  session: string,
  body: string,
  contentType = 'application/json',
) {
  const { challenge } = await challengeFor(baseUrl, 'room-post');
  return rawRequest(`${baseUrl}/room/${room}`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      accept: 'application/json',
      'sigmesh-session': session,
      authorization: `PoW ${await solveToken(challenge, utf8(body))}`,
    },
    body,
  });
}

function code(response: { json(): unknown }): string {
  return (response.json() as { code: string }).code;
}

test('oversize body, bad JSON, bad message shape and wrong content type each get a clear error', async (t) => {
  const node = await startTestNode(t, { maxMessageBytes: 256 });
  const member = await joinRoom(node.url(), room);
  t.after(() => member.close());
  const session = member.welcome.session;

  const big = await paidPost(node.url(), session, JSON.stringify({ data: 'x'.repeat(300) }));
  assert.equal(big.status, 413);
  assert.equal(code(big), 'BODY_TOO_LARGE');

  const broken = await paidPost(node.url(), session, '{"data": ');
  assert.equal(broken.status, 400);
  assert.equal(code(broken), 'BAD_JSON');

  for (const body of ['[]', '{}', '{"data":1,"to":"nobody"}', '{"data":1,"extra":2}']) {
    const response = await paidPost(node.url(), session, body);
    assert.equal(response.status, 400, body);
    assert.equal(code(response), 'ROOM_MESSAGE_INVALID', body);
  }

  const html = await paidPost(node.url(), session, 'hello', 'text/html');
  assert.equal(html.status, 415);
  assert.equal(code(html), 'UNSUPPORTED_MEDIA_TYPE');
  // text/plain is the plain form (plain-post.test.ts): without its head it is malformed.
  const text = await paidPost(node.url(), session, 'hello', 'text/plain');
  assert.equal(text.status, 400);
  assert.equal(code(text), 'BAD_REQUEST');
  assert.equal(member.messages().length, 0, 'nothing reached the room');
});

test('a bad room hash is refused on both room routes', async (t) => {
  const node = await startTestNode(t);
  for (const bad of ['abc', 'A'.repeat(40), `${'a'.repeat(39)}g`, 'a'.repeat(41)]) {
    const stream = await rawRequest(`${node.url()}/room/${bad}`, {
      headers: { accept: 'application/json' },
    });
    assert.equal(stream.status, 400);
    assert.equal(code(stream), 'ROOM_HASH_INVALID');
    const post = await rawRequest(`${node.url()}/room/${bad}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":1}',
    });
    assert.equal(code(post), 'ROOM_HASH_INVALID');
  }
});

test('unknown routes get 404 NOT_FOUND as JSON, or an HTML page for browsers', async (t) => {
  const node = await startTestNode(t);
  const json = await rawRequest(`${node.url()}/nope?x=1`, {
    headers: { accept: 'application/json' },
  });
  assert.equal(json.status, 404);
  assert.deepEqual(json.json(), { code: 'NOT_FOUND', message: 'no route GET /nope' });
  const page = await rawRequest(`${node.url()}/nope`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 404);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.match(page.body, /NOT_FOUND/);
});

test('GET / and /ip answer JSON when asked and HTML otherwise; CORS is open', async (t) => {
  const node = await startTestNode(t);
  const info = await rawRequest(`${node.url()}/`, {
    headers: { accept: 'application/json', origin: 'https://app.example' },
  });
  assert.equal(info.headers['access-control-allow-origin'], '*');
  const body = info.json() as { node: { id: string; publicUrl: string } };
  assert.equal(body.node.id, node.id());
  assert.equal(body.node.publicUrl, node.url());
  const page = await rawRequest(`${node.url()}/`);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.ok(page.body.includes(node.id()));
  assert.deepEqual(
    (await rawRequest(`${node.url()}/ip`, { headers: { accept: 'application/json' } })).json(),
    { ip: '127.0.0.1' },
  );
  assert.match((await rawRequest(`${node.url()}/ip`)).body, /<code>127\.0\.0\.1<\/code>/);

  const preflight = await rawRequest(`${node.url()}/room/${room}`, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,sigmesh-session',
    },
  });
  assert.equal(preflight.status, 204);
  assert.match(preflight.headers['access-control-allow-headers'] as string, /sigmesh-session/);
});

test('X-Forwarded-For is ignored unless --trust-proxy is on', async (t) => {
  const plain = await startTestNode(t);
  const proxied = await startTestNode(t, { trustProxy: true });
  const ask = (url: string) =>
    rawRequest(`${url}/ip`, {
      headers: { accept: 'application/json', 'x-forwarded-for': '203.0.113.9' },
    });
  assert.deepEqual((await ask(plain.url())).json(), { ip: '127.0.0.1' });
  assert.deepEqual((await ask(proxied.url())).json(), { ip: '203.0.113.9' });
});
