/**
 * Trystero's ws-relay strategy (its client source, see vendor/, with npm's @trystero-p2p/core) in
 * Debian Chromium on a local 2-node testnet, each page's only relay a different node's /ws-relay:
 * the pages meet across the nodes and talk over their data channel.
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs e2e/dialects/trystero-ws-relay.test.ts'
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SigmeshNode } from '@sigmesh/node';
import {
  joinTrysteroRoom,
  launchChromium,
  noChromium,
  openTrysteroPage,
  sendChat,
  trysteroLog,
  waitForTrysteroPeer,
  trysteroTestnet,
} from './trystero-pages.js';

const wsRelayUrl = (node: SigmeshNode): string => `${node.url().replace(/^http/, 'ws')}/ws-relay`;

test(
  'two Trystero ws-relay pages on two nodes meet and exchange a message',
  { skip: noChromium, timeout: 120_000 },
  async (t) => {
    const [n1, n2] = (await trysteroTestnet(t, 2)) as [SigmeshNode, SigmeshNode];
    const browser = await launchChromium(t);
    const [a, b] = await Promise.all([
      openTrysteroPage(browser, n1.url(), 'ws-relay'),
      openTrysteroPage(browser, n2.url(), 'ws-relay'),
    ]);
    const room = { appId: 'sigmesh-e2e', roomId: 'ws-lobby' };
    const aId = await joinTrysteroRoom(a.page, { ...room, relayUrls: [wsRelayUrl(n1)] });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const bId = await joinTrysteroRoom(b.page, { ...room, relayUrls: [wsRelayUrl(n2)] });
    await Promise.all([waitForTrysteroPeer(a.page, bId), waitForTrysteroPeer(b.page, aId)]);
    await sendChat(a.page, { text: 'over ws-relay' }, bId);
    await b.page.waitForFunction(
      () => (window as unknown as { log: { messages: unknown[] } }).log.messages.length > 0,
    );
    assert.deepEqual((await trysteroLog(b.page)).messages, [
      { data: { text: 'over ws-relay' }, from: aId },
    ]);
    for (const { urls } of [a, b]) {
      for (const url of urls)
        assert.match(url, /^(http|ws):\/\/127\.0\.0\.1:\d+\//, `only the nodes: ${url}`);
    }
  },
);
