import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import {
  formatPlainPost,
  parseNodeInfo,
  parseWelcomeEvent,
  deriveRoomHash,
  SseParser,
  utf8,
  type RoomHash,
  type SseEvent,
  type WelcomeEvent,
} from '@sigmesh/protocol';
import { payOffer } from '../../../src/cli/node-api-client.js';
import { spawnNode, startProcessDht, type NodeProcess } from '../../helpers/node-process.js';
import { joinRoom } from '../../helpers/room-client.js';
import { startTestNode } from '../../helpers/test-node.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { waitFor } from '../../helpers/wait-for.js';

/** A member whose stream was taken to worker `worker` (its join paid with that worker's challenge). */
interface WorkerMember {
  readonly welcome: WelcomeEvent;
  readonly events: SseEvent[];
  close(): void;
}

/** `sigmesh start --workers 2` as its own process; resolves once both workers listen. */
async function startWorkers(
  t: TestContext,
  args: readonly string[] = [],
): Promise<{ node: NodeProcess; ids: string[] }> {
  const node = await spawnNode(t, { args: ['--workers', '2', '--turn-port', '-1', ...args] });
  await waitFor(() => listening(node).size === 2, 'both workers listening', 20_000);
  const ids = await Promise.all([0, 1].map((worker) => nodeIdOf(node.url, worker)));
  assert.notEqual(ids[0], ids[1]);
  return { node, ids };
}

function listening(node: NodeProcess): Set<string> {
  return new Set(
    node.logs.filter((entry) => typeof entry.nodeId === 'string').map((e) => e.nodeId as string),
  );
}

async function nodeInfo(url: string, worker: number) {
  const response = await rawRequest(`${url}/?worker=${worker}`, {
    headers: { accept: 'application/json', connection: 'close' },
  });
  const info = parseNodeInfo(response.json());
  assert.ok(info.ok);
  return info.value;
}

async function nodeIdOf(url: string, worker: number): Promise<string> {
  return (await nodeInfo(url, worker)).node.id;
}

/** A join token paid with a challenge worker `worker` minted (only that worker can take it). */
async function joinToken(url: string, worker: number, room: RoomHash): Promise<string> {
  const info = await nodeInfo(url, worker);
  const challenge = info.pow.challenges?.['room-join'];
  assert.ok(challenge !== undefined);
  return payOffer({ challenge, difficulty: info.pow.price, scope: 'room-join' }, utf8(room));
}

async function joinOn(
  t: TestContext,
  url: string,
  worker: number,
  room: RoomHash,
): Promise<WorkerMember> {
  const token = await joinToken(url, worker, room);
  const controller = new AbortController();
  t.after(() => controller.abort());
  const response = await fetch(`${url}/room/${room}?pow=${encodeURIComponent(token)}`, {
    headers: { accept: 'text/event-stream', connection: 'close' },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  const events: SseEvent[] = [];
  const parser = new SseParser();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        events.push(...parser.feed(decoder.decode(chunk, { stream: true })));
    } catch {
      // Aborted at the end of the test.
    }
  })();
  await waitFor(() => events.length > 0, 'the welcome event');
  assert.equal(events[0]!.event, 'welcome');
  const welcome = parseWelcomeEvent(JSON.parse(events[0]!.data));
  assert.ok(welcome.ok);
  return { welcome: welcome.value, events, close: () => controller.abort() };
}

/**
 * Posts as `member`, each post on a fresh connection (the kernel spreads them over the workers),
 * paying the offer its last answer carried; the JSON form, or the plain form (session in the body).
 */
async function postAs(
  url: string,
  member: WorkerMember,
  offer: { challenge: string; difficulty: number; scope: 'room-post' },
  data: string,
  form: 'json' | 'plain',
): Promise<{ status: number; next: typeof offer }> {
  const json = JSON.stringify({ data });
  const token = await payOffer(offer, utf8(json));
  const { session } = member.welcome;
  const response = await rawRequest(`${url}/room/${member.welcome.room}`, {
    method: 'POST',
    headers:
      form === 'json'
        ? {
            'content-type': 'application/json',
            authorization: `PoW ${token}`,
            'sigmesh-session': session,
            connection: 'close',
          }
        : { 'content-type': 'text/plain;charset=UTF-8', connection: 'close' },
    body: form === 'json' ? json : formatPlainPost(token, session, json),
  });
  const body = response.json() as { next?: typeof offer };
  return { status: response.status, next: body.next ?? offer };
}

function messages(member: WorkerMember): string[] {
  return member.events
    .filter((event) => event.event === 'message')
    .map((event) => (JSON.parse(event.data) as { data: string }).data);
}

async function movedTotal(url: string): Promise<number> {
  let total = 0;
  for (const worker of [0, 1]) {
    const text = (
      await rawRequest(`${url}/metrics?worker=${worker}`, {
        headers: { connection: 'close' },
      })
    ).body;
    total += Number(/^sigmesh_worker_requests_moved_total (\d+)$/m.exec(text)?.[1] ?? NaN);
  }
  return total;
}

test("sigmesh start --workers 2: members on two workers meet; posts landing on either worker reach the member's stream", async (t) => {
  const { node, ids } = await startWorkers(t);
  const room = deriveRoomHash('test-app', 'workers-meet');
  const a = await joinOn(t, node.url, 0, room);
  const b = await joinOn(t, node.url, 1, room);
  assert.deepEqual([a.welcome.nodeId, b.welcome.nodeId], ids);
  assert.match(a.welcome.session, /^w0\./);
  assert.match(b.welcome.session, /^w1\./);

  // Six posts each way on fresh connections, JSON and plain forms: about half land on the
  // worker without the poster's stream, and every one must be delivered, once.
  const sent = { a: [] as string[], b: [] as string[] };
  for (const [from, to, key] of [
    [a, b, 'a'],
    [b, a, 'b'],
  ] as const) {
    let offer = from.welcome.pow as { challenge: string; difficulty: number; scope: 'room-post' };
    for (let i = 0; i < 6; i++) {
      const data = `${key}-${i}`;
      const answer = await postAs(node.url, from, offer, data, i % 2 === 0 ? 'json' : 'plain');
      assert.equal(answer.status, 200, data);
      offer = answer.next;
      sent[key].push(data);
    }
    await waitFor(() => messages(to).length === 6, `${key}'s posts at the other worker`);
    assert.deepEqual(messages(to), sent[key]);
  }
  assert.ok((await movedTotal(node.url)) > 0, 'some requests were moved between workers');
});

test('sigmesh start --workers 2: a join token is spent once, whichever worker it reaches', async (t) => {
  const { node } = await startWorkers(t);
  const room = deriveRoomHash('test-app', 'workers-replay');
  const token = await joinToken(node.url, 1, room);
  const first = await rawRequest(`${node.url}/room/${room}?pow=${encodeURIComponent(token)}`, {
    headers: { accept: 'text/event-stream', connection: 'close' },
  });
  assert.equal(first.status, 200);
  // Replayed on four fresh connections: the kernel puts some on worker 0, which has its own
  // replay set; each must be taken to worker 1 and refused there.
  for (let i = 0; i < 4; i++) {
    const again = await rawRequest(`${node.url}/room/${room}?pow=${encodeURIComponent(token)}`, {
      headers: { accept: 'application/json', connection: 'close' },
    });
    assert.equal(again.status, 401);
    assert.equal((again.json() as { code: string }).code, 'POW_REPLAYED');
  }
});

test('sigmesh start --workers 2: a killed worker is replaced and meets its sibling again; SIGTERM stops all', async (t) => {
  const { node, ids } = await startWorkers(t);
  const pids = (): number[] =>
    [...node.stderr().matchAll(/worker 1 started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  assert.equal(pids().length, 1);
  process.kill(pids()[0]!, 'SIGKILL');
  await waitFor(() => pids().length === 2, 'a replacement for worker 1', 20_000);
  assert.match(node.stderr(), /worker 1 exited \(SIGKILL\)/);
  // The replacement keeps worker 1's identity (its data dir) and its private mesh port.
  const room = deriveRoomHash('test-app', 'workers-restart');
  let b: WorkerMember | undefined;
  await waitFor(
    async () => {
      b = await joinOn(t, node.url, 1, room).catch(() => undefined);
      return b !== undefined;
    },
    'a join on the replacement',
    20_000,
  );
  assert.equal(b!.welcome.nodeId, ids[1]);
  const a = await joinOn(t, node.url, 0, room);
  const offer = a.welcome.pow as { challenge: string; difficulty: number; scope: 'room-post' };
  // Its sibling redials the replacement with backoff: posts reach it once the link is back.
  await waitFor(
    async () => {
      await postAs(node.url, a, offer, 'after restart', 'json').catch(() => undefined);
      return messages(b!).includes('after restart');
    },
    'a message across the restored link',
    30_000,
  );
  node.signal('SIGTERM');
  const [code] = (await once(node.child, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.ok(!node.stderr().includes('workers keep crashing'));
});

test("sigmesh start --workers 2: another host's mesh dials reach worker 0, whichever worker takes the connection", async (t) => {
  const { node, ids } = await startWorkers(t);
  const outside = await startTestNode(t);
  // Each dial is a new connection, handed to the workers in turn: every one must end at worker 0
  // (the one whose DHT descriptor names the host), or a dial expecting its id would fail.
  for (let i = 0; i < 4; i++) {
    assert.equal(await outside.connect(node.url), ids[0]);
    assert.ok(outside.disconnect(ids[0]!));
  }
});

test('sigmesh start --workers 2 on a loopback DHT: a node on another host meets members on both workers through worker 0', async (t) => {
  const { bootstrap } = await startProcessDht(t, 5);
  const { node: host } = await startWorkers(t, ['--dht-bootstrap', bootstrap]);
  const other = await spawnNode(t, { args: ['--dht-bootstrap', bootstrap] });
  const room = deriveRoomHash('test-app', 'workers-dht');
  const a = await joinOn(t, host.url, 0, room);
  const b = await joinOn(t, host.url, 1, room);
  const c = await joinRoom(other.url, room);
  t.after(() => c.close());
  // The other node finds worker 0 through the room's DHT key (GET /?worker=0 names it), links to
  // it through the shared port, and its member's posts reach worker 1 through worker 0.
  await waitFor(
    async () => {
      await c.post('from the other host');
      return (
        messages(a).includes('from the other host') && messages(b).includes('from the other host')
      );
    },
    'a post from the other host at both workers',
    30_000,
  );
  const offer = b.welcome.pow as { challenge: string; difficulty: number; scope: 'room-post' };
  assert.equal((await postAs(host.url, b, offer, 'from worker 1', 'json')).status, 200);
  await waitFor(
    () => c.messages().some((m) => m.data === 'from worker 1'),
    "worker 1's post at the other host",
    10_000,
  );
});
