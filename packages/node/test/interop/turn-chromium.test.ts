/**
 * Chromium ↔ Chromium data channel with `iceTransportPolicy: 'relay'` through the node's own TURN
 * server, with credentials from `POST /token`: the browser is the TURN client that matters.
 * Needs Debian's chromium (scripts/test-all.sh installs it) and a private namespace:
 *   unshare -n sh -c 'ip link set lo up; node scripts/run-tests.mjs packages/node/test/interop/turn-chromium.test.ts'
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { fetchToken } from '../helpers/fetch-token.js';
import type { SigmeshNode } from '../../src/index.js';
import { startTestNode } from '../helpers/test-node.js';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS, noChromium } from '../helpers/chromium.js';
import { findBinary, freePort, startCoturn } from './turn-tools.js';

/** Creates the page's peer connection and returns its complete local description (non-trickle). */
async function describe(
  page: Page,
  iceServers: unknown,
  offer?: RTCSessionDescriptionInit,
): Promise<RTCSessionDescriptionInit> {
  return page.evaluate(
    async ({ servers, remote }) => {
      const pc = new RTCPeerConnection({
        iceServers: servers as RTCIceServer[],
        iceTransportPolicy: 'relay',
      });
      const w = window as unknown as {
        pc: RTCPeerConnection;
        received: Promise<string>;
        channel: Promise<RTCDataChannel>;
      };
      w.pc = pc;
      w.channel = new Promise((resolve) => {
        if (remote === undefined) {
          const dc = pc.createDataChannel('test');
          dc.onopen = () => resolve(dc);
        } else
          pc.ondatachannel = (event) =>
            event.channel.readyState === 'open'
              ? resolve(event.channel)
              : (event.channel.onopen = () => resolve(event.channel));
      });
      w.received = w.channel.then(
        (dc) => new Promise((resolve) => (dc.onmessage = (event) => resolve(String(event.data)))),
      );
      if (remote !== undefined) await pc.setRemoteDescription(remote);
      await pc.setLocalDescription(
        remote === undefined ? await pc.createOffer() : await pc.createAnswer(),
      );
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
      });
      return pc.localDescription!.toJSON();
    },
    { servers: iceServers, remote: offer },
  );
}

/** Opens a relay-only data channel between two Chromium pages with ICE servers from the node's /token. */
async function relayBetweenPages(t: TestContext, node: SigmeshNode): Promise<void> {
  const { iceServers } = await fetchToken(node.url());
  // playwright gives every launch() a fresh, temporary profile (the --user-data-dir the flags list wants).
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  t.after(() => browser.close());
  const [a, b] = [await browser.newPage(), await browser.newPage()];
  // A page of the node itself: an http://127.0.0.1 origin is a secure context.
  await Promise.all([a.goto(`${node.url()}/ip`), b.goto(`${node.url()}/ip`)]);

  const offer = await describe(a, iceServers);
  assert.match(offer.sdp ?? '', /typ relay/, 'the offer carries relay candidates');
  assert.doesNotMatch(offer.sdp ?? '', /typ host/, 'relay policy: no host candidates');
  const answer = await describe(b, iceServers, offer);
  await a.evaluate(
    async (remote) =>
      (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription(remote),
    answer,
  );

  await a.evaluate(async () =>
    (await (window as unknown as { channel: Promise<RTCDataChannel> }).channel).send(
      'through TURN',
    ),
  );
  assert.equal(
    await b.evaluate(async () => (window as unknown as { received: Promise<string> }).received),
    'through TURN',
  );
  // The stats may report the nominated pair a moment after the first message got through.
  const pairTypes = await a.evaluate(async () => {
    for (let tries = 0; ; tries++) {
      const stats = await (window as unknown as { pc: RTCPeerConnection }).pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      stats.forEach((report: Record<string, unknown>) => byId.set(report.id as string, report));
      const pair = [...byId.values()].find(
        (r) => r.type === 'candidate-pair' && r.nominated === true && r.state === 'succeeded',
      );
      if (pair !== undefined || tries >= 50)
        return [
          byId.get(pair?.localCandidateId as string)?.candidateType,
          byId.get(pair?.remoteCandidateId as string)?.candidateType,
        ];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  assert.deepEqual(pairTypes, ['relay', 'relay']);
}

test(
  'Chromium ↔ Chromium data channel relays through the node’s TURN with /token credentials',
  { skip: noChromium, timeout: 60_000 },
  async (t) => {
    await relayBetweenPages(t, await startTestNode(t, { turnAllowPeer: ['127.0.0.0/8'] }));
  },
);

test(
  'the same through a coturn configured with --turn-external',
  {
    skip:
      noChromium ||
      (findBinary('turnserver') === undefined
        ? 'turnserver not installed (apt-get install -y coturn)'
        : false),
    timeout: 60_000,
  },
  async (t) => {
    const port = await freePort();
    await startCoturn(t, port, 'shared-with-coturn');
    await relayBetweenPages(
      t,
      await startTestNode(t, {
        turnExternal: `127.0.0.1:${port}`,
        turnSecret: 'shared-with-coturn',
      }),
    );
  },
);
