// The load in its own process: subscribers on one topic and one publisher, on a relay URL. Each
// `run` publishes fresh signed events as fast as the socket takes them and resolves when the
// publisher has every OK and every subscriber every event (bounded by a timeout).
import { WebSocket } from 'ws';
import { serveParent } from '../lib/child-process.js';
import { signedEvents, trysteroKind } from './signed-events.js';

const TOPIC = 'bench-fanout-topic';

interface Load {
  publisher: WebSocket;
  subscribers: WebSocket[];
}

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

async function connect(url: string, subscribers: number): Promise<Load> {
  const subs = await Promise.all(Array.from({ length: subscribers }, () => open(url)));
  await Promise.all(
    subs.map(
      (ws, i) =>
        new Promise<void>((resolve) => {
          ws.once('message', () => resolve());
          ws.send(
            JSON.stringify([
              'REQ',
              `s${i}`,
              { kinds: [trysteroKind(TOPIC)], since: 0, '#x': [TOPIC] },
            ]),
          );
        }),
    ),
  );
  return { publisher: await open(url), subscribers: subs };
}

const loads = new Map<string, Load>();
let round = 0;

async function run(
  name: string,
  events: number,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  const load = loads.get(name);
  if (load === undefined) throw new Error(`no load ${name}`);
  const batch = await signedEvents(events, TOPIC, `${name}-${round++}`);
  const frames = batch.map((event) => JSON.stringify(['EVENT', event]));
  let oks = 0;
  let refused = 0;
  const received = load.subscribers.map(() => 0);
  const total = events * load.subscribers.length;
  let delivered = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${name}: ${oks}/${events} OKs, ${delivered}/${total} deliveries after ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    const check = (): void => {
      if (oks === events && delivered === total) {
        clearTimeout(timer);
        resolve();
      }
    };
    load.publisher.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as unknown[];
      if (message[0] !== 'OK') return;
      oks++;
      if (message[2] !== true) refused++;
      check();
    });
    load.subscribers.forEach((ws, i) =>
      ws.on('message', () => {
        received[i]!++;
        delivered++;
        check();
      }),
    );
  });
  const start = performance.now();
  for (const frame of frames) load.publisher.send(frame);
  try {
    await done;
  } finally {
    load.publisher.removeAllListeners('message');
    for (const ws of load.subscribers) ws.removeAllListeners('message');
  }
  if (refused > 0) throw new Error(`${name}: ${refused} events refused`);
  return { wallMs: performance.now() - start, events, deliveries: total };
}

serveParent(async (message) => {
  if (message.type === 'connect') {
    loads.set(
      message.name as string,
      await connect(message.url as string, message.subscribers as number),
    );
    return {};
  }
  if (message.type === 'run')
    return run(message.name as string, message.events as number, message.timeoutMs as number);
  throw new Error(`load-child: unknown request ${String(message.type)}`);
});
