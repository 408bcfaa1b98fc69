/**
 * Issue 14: "call" click → remote video playing, caller and callee on different nodes, against the
 * same two Chromium pages meeting in a shared room. Each trial gets a fresh 3-node testnet (nodes
 * price by client address, and every page is 127.0.0.1). The callee page is ready first — for
 * `contact` and `call`, listening on its inbox (connectPeople) and accepting every ring with its
 * camera, the caller one of its contacts (`contact`: it joins the call's room while it rings) or
 * a stranger (`call`: it joins on accept); for `room`, in the room with its camera — and the
 * caller page, camera in hand, is then timed from
 * the click (`people.call(key)`, or `joinRoom`) to the callee's video `playing` in it. Variants run
 * interleaved, the order rotating each round, after one untimed warm-up each.
 *
 *   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx bench/client/call-time.ts'
 *
 * Options: --rounds 8, --pow 2000 (the node default), --name callTime, --answer-ms 1000 (the
 * callee presses accept this long after its ring; the wait is taken off the times reported).
 * Writes the named section of bench/results/client-<date>.json and prints medians and the ratio.
 */
import { performance } from 'node:perf_hooks';
import { createTestnet, type Testnet } from '@sigmesh/node';
import type { Browser, Page } from 'playwright-core';
import type * as SigmeshClient from '@sigmesh/client';
import { argument, round } from '../lib/bench-report.js';
import { chromiumVersion, launchChromium } from './chromium.js';
import { percentile, saveClientResults } from './client-results.js';
import { sigmeshBundle } from './page-bundles.js';
import { htmlPage, startStaticServer } from './static-server.js';

const rounds = Number(argument('rounds', '8'));
const pow = Number(argument('pow', '2000'));
const sectionName = argument('name', 'callTime');
/**
 * How long the callee takes to press "accept" after its ring arrives (a person's reaction). The
 * wait, as the callee's page measured it, is taken off every time reported: what is left is the
 * machinery's part. 0 accepts at once.
 */
const answerMs = Number(argument('answer-ms', '1000'));

/** `contact`: the callee counts the caller a contact (joins while it rings); `call`: a stranger. */
type Variant = 'contact' | 'call' | 'room';

interface Trial {
  readonly variant: Variant;
  readonly round: number;
  /** Click → remote video playing, in the caller's page (ms). */
  readonly ms: number;
  /** Click → the room joined (for a call: accepted, and its room joined and keyed), ms. */
  readonly joinedMs: number;
  /** Click → the peer's data channel open in that room (`peer-join`), ms. */
  readonly peerMs: number;
  /** Click → the peer's stream arrived, ms. */
  readonly streamMs: number;
  /** The callee's wait between its ring and its accept (taken off the times above), ms. */
  readonly answerWaitMs: number;
}

declare global {
  interface Window {
    sigmesh: typeof SigmeshClient;
    benchKey?: string;
  }
}

/** Page-side: an identity, a fake camera, and a `playing` wait for the first remote stream. */
const PAGE_HELPERS = `
window.benchEveryone = () => true;
window.benchCamera = () => navigator.mediaDevices.getUserMedia({ video: true, audio: true });
window.benchPlaying = (stream) => new Promise((resolve) => {
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true;
  video.addEventListener('playing', () => resolve(performance.now()), { once: true });
  video.srcObject = stream; document.body.append(video);
});
`;

async function callee(page: Page, variant: Variant, node: string, room: string): Promise<string> {
  return page.evaluate(
    async ({ variant, node, room, answerMs }) => {
      const { sigmesh } = window;
      const helpers = window as unknown as {
        benchCamera(): Promise<MediaStream>;
        benchEveryone: (key: string) => boolean;
      };
      const camera = await helpers.benchCamera();
      if (variant === 'room') {
        const joined = await sigmesh.joinRoom({ appId: 'bench-call', room, nodes: [node] });
        joined.addStream(camera);
        return '';
      }
      const identity = await sigmesh.loadOrCreateIdentity({ store: sigmesh.memoryIdentityStore() });
      const people = await sigmesh.connectPeople({
        appId: 'bench-call',
        nodes: [node],
        identity,
        inboxNodes: 1,
        // The scenario of issue 14: the two added each other. A stranger's ring joins on accept.
        ...(variant === 'contact' ? { isContact: helpers.benchEveryone } : {}),
      });
      people.on('ring', (ring) => {
        const rang = performance.now();
        setTimeout(() => {
          (window as unknown as { benchWaited: number }).benchWaited = performance.now() - rang;
          void ring.accept({ streams: [camera] });
        }, answerMs);
      });
      return people.key;
    },
    { variant, node, room, answerMs },
  );
}

async function caller(
  page: Page,
  variant: Variant,
  node: string,
  room: string,
  key: string,
): Promise<Omit<Trial, 'variant' | 'round' | 'answerWaitMs'>> {
  return page.evaluate(
    async ({ variant, node, room, key }) => {
      const { sigmesh } = window;
      const helpers = window as unknown as {
        benchCamera(): Promise<MediaStream>;
        benchPlaying(stream: MediaStream): Promise<number>;
      };
      const camera = await helpers.benchCamera();
      let people: SigmeshClient.People | undefined;
      if (variant !== 'room') {
        const identity = await sigmesh.loadOrCreateIdentity({
          store: sigmesh.memoryIdentityStore(),
        });
        people = await sigmesh.connectPeople({
          appId: 'bench-call',
          nodes: [node],
          identity,
          listen: false,
        });
      }
      const start = performance.now();
      let joined: SigmeshClient.Room;
      // Each the way an app would: a call shares the camera from the start, a room once joined.
      if (people !== undefined) joined = (await people.call(key, { streams: [camera] })).room;
      else {
        joined = await sigmesh.joinRoom({ appId: 'bench-call', room, nodes: [node] });
        joined.addStream(camera);
      }
      const joinedAt = performance.now();
      let peerAt = 0;
      joined.on('peer-join', () => (peerAt ||= performance.now()));
      if (joined.peers().some((peer) => peer.open)) peerAt = joinedAt;
      const remote = new Promise<MediaStream>((resolve) => joined.on('stream', resolve));
      const stream = await remote;
      const streamAt = performance.now();
      const playing = await helpers.benchPlaying(stream);
      return {
        ms: playing - start,
        joinedMs: joinedAt - start,
        peerMs: (peerAt || streamAt) - start,
        streamMs: streamAt - start,
      };
    },
    { variant, node, room, key },
  );
}

async function trial(
  browser: Browser,
  origin: string,
  variant: Variant,
  n: number,
): Promise<Trial> {
  const testnet: Testnet = await createTestnet({
    nodes: 3,
    nodeOptions: { powBaseDifficulty: pow, turnAllowPeer: ['127.0.0.0/8'] },
  });
  const context = await browser.newContext();
  try {
    await waitForNodeLists(testnet);
    const [n1, , n3] = testnet.nodes.map((node) => node.url());
    const [a, b] = [await context.newPage(), await context.newPage()];
    await Promise.all([a.goto(`${origin}/call.html`), b.goto(`${origin}/call.html`)]);
    const room = `call-${n}-${Math.random().toString(16).slice(2)}`;
    const key = await callee(b, variant, n3!, room);
    const timed = await withTimeout(caller(a, variant, n1!, room, key), 60_000);
    const waited = await b.evaluate(
      () => (window as unknown as { benchWaited?: number }).benchWaited ?? 0,
    );
    return {
      variant,
      round: n,
      ms: timed.ms - waited,
      joinedMs: timed.joinedMs - waited,
      peerMs: timed.peerMs - waited,
      streamMs: timed.streamMs - waited,
      answerWaitMs: waited,
    };
  } finally {
    await context.close();
    await testnet.close();
  }
}

async function waitForNodeLists(testnet: Testnet): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const node of testnet.nodes)
    for (;;) {
      const listed = (await (
        await fetch(`${node.url()}/nodes`, { headers: { accept: 'application/json' } })
      ).json()) as { nodes: unknown[] };
      if (listed.nodes.length >= testnet.nodes.length - 1) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no result in ${ms} ms`)), ms)),
  ]);
}

const files = new Map([
  ['/sigmesh.js', { type: 'text/javascript; charset=utf-8', body: sigmeshBundle() }],
  ['/helpers.js', { type: 'text/javascript; charset=utf-8', body: PAGE_HELPERS }],
  ['/call.html', htmlPage('call-time', ['/sigmesh.js', '/helpers.js'])],
]);
const server = await startStaticServer(files);
const browser = await launchChromium();
const chromium = chromiumVersion(browser);
const started = performance.now();
const trials: Trial[] = [];
const variants: Variant[] = ['contact', 'call', 'room'];
try {
  for (const variant of variants) await trial(browser, server.origin, variant, -1); // Warm-up.
  for (let n = 0; n < rounds; n++) {
    const order = variants.map((_, i) => variants[(i + n) % variants.length]!);
    for (const variant of order) {
      const result = await trial(browser, server.origin, variant, n);
      trials.push(result);
      console.log(
        `round ${n + 1}/${rounds} ${variant}: ${Math.round(result.ms)} ms (joined ${Math.round(result.joinedMs)}, peer ${Math.round(result.peerMs)}, stream ${Math.round(result.streamMs)})`,
      );
    }
  }
} finally {
  await browser.close().catch(() => undefined);
  await server.close();
}

const stats = (variant: Variant, field: 'ms' | 'joinedMs' | 'peerMs' | 'streamMs' = 'ms') => {
  const values = trials.filter((t) => t.variant === variant).map((t) => t[field]);
  return { median: round(percentile(values, 50), 1), p90: round(percentile(values, 90), 1) };
};
const steps = (variant: Variant) => ({
  playing: stats(variant),
  joined: stats(variant, 'joinedMs').median,
  peer: stats(variant, 'peerMs').median,
  stream: stats(variant, 'streamMs').median,
});
const summary = {
  contact: steps('contact'),
  call: steps('call'),
  room: steps('room'),
  /** A contact's call against the shared room: the goal (≤ 1.2). */
  ratio: round(stats('contact').median / stats('room').median, 2),
  strangerRatio: round(stats('call').median / stats('room').median, 2),
};
console.log(JSON.stringify(summary, null, 2));
const file = saveClientResults(sectionName, {
  command: `node --conditions=source --import tsx bench/client/call-time.ts --rounds ${rounds} --pow ${pow} --answer-ms ${answerMs}`,
  chromium,
  rounds,
  pow,
  answerMs,
  wallSeconds: round((performance.now() - started) / 1000, 1),
  summary,
  trials,
});
console.log(`saved to ${file}`);
