/**
 * Calls between people in Chromium, with media given up front: Alice on node 1 calls Bob on node
 * 3 with her camera (`people.call(key, { streams })`), Bob — Alice is his contact, so his page
 * joined the call's room while it rang — accepts with his (`ring.accept({ streams })`), and each
 * page plays the other's video without adding anything after the call started.
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs e2e/client/client-call-media.test.ts'
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as SigmeshClient from '@sigmesh/client';
import { launchChromium, noChromium, openClientPage } from './client-pages.js';
import { startBrowserTestnet } from './mesh-testnet.js';

interface CallPage {
  sigmesh: typeof SigmeshClient;
  people: SigmeshClient.People;
  /** The other side's stream: its video track's kind, once it arrived. */
  remote: Promise<string>;
  isContact: (key: string) => boolean;
}

test(
  'streams given to call and accept reach the other side from the start',
  { skip: noChromium, timeout: 90_000 },
  async (t) => {
    const testnet = await startBrowserTestnet(t);
    const [n1, , n3] = testnet.nodes;
    const browser = await launchChromium(t);
    const [alice, bob] = await Promise.all([
      openClientPage(browser, n1!.url()),
      openClientPage(browser, n3!.url()),
    ]);
    const connect = (node: string, contact: string | undefined): Promise<string> =>
      (contact === undefined ? alice : bob).evaluate(
        async ({ node, contact }) => {
          const w = window as unknown as CallPage;
          const identity = await w.sigmesh.loadOrCreateIdentity({
            store: w.sigmesh.memoryIdentityStore(),
          });
          w.people = await w.sigmesh.connectPeople({
            appId: 'e2e-call',
            nodes: [node],
            identity,
            inboxNodes: 1,
            ...(contact === undefined ? {} : { isContact: w.isContact }),
          });
          return w.people.key;
        },
        { node, contact },
      );
    const aliceKey = await connect(n1!.url(), undefined);
    // Defined from a string: functions made inside evaluate get the transpiler's name helper.
    await bob.evaluate(`window.isContact = (key) => key === ${JSON.stringify(aliceKey)}`);
    const bobKey = await connect(n3!.url(), aliceKey);

    await bob.evaluate(() => {
      const w = window as unknown as CallPage;
      w.remote = new Promise((resolve) => {
        w.people.on('ring', (ring) => {
          void navigator.mediaDevices
            .getUserMedia({ video: true, audio: true })
            .then((camera) => ring.accept({ streams: [camera] }))
            .then((call) =>
              call.room.on('stream', (stream) => resolve(stream.getVideoTracks()[0]?.kind ?? '')),
            );
        });
      });
    });
    const atAlice = await alice.evaluate(async (key) => {
      const w = window as unknown as CallPage;
      const camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
      const call = await w.people.call(key, { streams: [camera] });
      return new Promise<string>((resolve) =>
        call.room.on('stream', (stream) => resolve(stream.getVideoTracks()[0]?.kind ?? '')),
      );
    }, bobKey);
    const atBob = await bob.evaluate(() => (window as unknown as CallPage).remote);
    assert.deepEqual([atAlice, atBob], ['video', 'video'], 'each got the other’s camera');
  },
);
