/**
 * Trystero (npm `trystero`, its default Nostr strategy, unchanged) in Debian Chromium on a local
 * 3-node testnet, each page's only relay a different node's /nostr: pages in one room meet across
 * nodes and talk over their data channel; a page in another room, or with another password, does
 * not; no page opens anything but the nodes.
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs e2e/dialects/trystero-nostr.test.ts'
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

const nostrUrl = (node: SigmeshNode): string => `${node.url().replace(/^http/, 'ws')}/nostr`;

test(
  'two Trystero pages on two nodes meet and exchange a message; another room or password stays apart',
  { skip: noChromium, timeout: 120_000 },
  async (t) => {
    const [n1, n2, n3] = (await trysteroTestnet(t, 3)) as [SigmeshNode, SigmeshNode, SigmeshNode];
    const browser = await launchChromium(t);
    const [a, b, other, wrong] = await Promise.all([
      openTrysteroPage(browser, n1.url()),
      openTrysteroPage(browser, n2.url()),
      openTrysteroPage(browser, n3.url()),
      openTrysteroPage(browser, n3.url()),
    ]);
    const room = { appId: 'sigmesh-e2e', roomId: 'lobby', password: 'shared secret' };
    const aId = await joinTrysteroRoom(a.page, { ...room, relayUrls: [nostrUrl(n1)] });
    // B joins a few seconds later, after A's first announces (Trystero's next is 60 s away).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const bId = await joinTrysteroRoom(b.page, { ...room, relayUrls: [nostrUrl(n2)] });
    const otherId = await joinTrysteroRoom(other.page, {
      ...room,
      roomId: 'another room',
      relayUrls: [nostrUrl(n3)],
    });
    const wrongId = await joinTrysteroRoom(wrong.page, {
      ...room,
      password: 'wrong',
      relayUrls: [nostrUrl(n3)],
    });

    await Promise.all([waitForTrysteroPeer(a.page, bId), waitForTrysteroPeer(b.page, aId)]);
    await sendChat(a.page, { text: 'hello B' }, bId);
    await sendChat(b.page, { text: 'hello A' }, aId);
    await a.page.waitForFunction(
      () => (window as unknown as { log: { messages: unknown[] } }).log.messages.length > 0,
    );
    await b.page.waitForFunction(
      () => (window as unknown as { log: { messages: unknown[] } }).log.messages.length > 0,
    );
    assert.deepEqual((await trysteroLog(b.page)).messages, [
      { data: { text: 'hello B' }, from: aId },
    ]);
    assert.deepEqual((await trysteroLog(a.page)).messages, [
      { data: { text: 'hello A' }, from: bId },
    ]);

    // The wrong password's page hears the room's announces (same topics) but cannot decrypt the
    // SDP, so it never connects; the other room shares no topic at all.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    for (const page of [a.page, b.page]) {
      const joined = (await trysteroLog(page)).joined;
      assert.ok(
        !joined.includes(otherId) && !joined.includes(wrongId),
        `stayed apart: ${JSON.stringify(joined)}`,
      );
    }
    assert.deepEqual((await trysteroLog(other.page)).joined, []);
    assert.deepEqual((await trysteroLog(wrong.page)).joined, []);
    for (const page of [a.page, b.page]) {
      const warnings = (await trysteroLog(page)).warnings.filter((w) =>
        w.includes('relay failure'),
      );
      assert.deepEqual(warnings, [], 'no relay refused anything');
    }
    // Nothing but the nodes: no public relay, tracker or STUN server was contacted.
    for (const { urls } of [a, b, other, wrong]) {
      for (const url of urls)
        assert.match(url, /^(http|ws):\/\/127\.0\.0\.1:\d+\//, `only the nodes: ${url}`);
    }
  },
);
