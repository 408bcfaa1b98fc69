/**
 * The demo app served by the nodes at /app/, driven like a user in Debian Chromium on a local
 * 3-node testnet: Alice (desktop) on node 1, Bob (a 360 px phone screen) on node 2. Chat both
 * ways, a 5 MB file with SHA-256 checked, a camera call, a screen share, hang-up; screenshots go
 * to artifacts/.
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs e2e/demo-app.test.ts'
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { noChromium } from './client/client-pages.js';
import { startBrowserTestnet } from './client/mesh-testnet.js';
import {
  ARTIFACTS,
  chatLines,
  cspViolations,
  joinAs,
  launchDemoChromium,
  localTracks,
  openApp,
  pageErrors,
  waitForPeerNamed,
  waitForPlayingVideo,
} from './demo-app-pages.js';

const PHONE = { width: 360, height: 740 };
const FILE_BYTES = 5 * 1024 * 1024;

test(
  'demo app: two users on two nodes chat, send a 5 MB file, call with video and screen, hang up',
  { skip: noChromium, timeout: 90_000 },
  async (t) => {
    const testnet = await startBrowserTestnet(t);
    const [n1, n2] = testnet.nodes;
    const browser = await launchDemoChromium(t);
    const alice = await openApp(browser, n1!.url(), '#room=demo-e2e');
    const bob = await openApp(browser, n2!.url(), '#room=demo-e2e', PHONE);
    assert.equal(await alice.inputValue('input[name=room]'), 'demo-e2e', 'the link fills the room');
    await joinAs(alice, 'Alice');
    await joinAs(bob, 'Bob');
    const bobId = await waitForPeerNamed(alice, 'Bob');
    const aliceId = await waitForPeerNamed(bob, 'Alice');
    assert.match(
      (await alice.textContent(`.peer[data-peer-id="${bobId}"] .peer-state`)) ?? '',
      /^connected · (direct|relayed)$/,
    );

    await t.test('chat goes both ways, with names, as text', async () => {
      await alice.fill('.chat-input', 'Hi Bob <b>not bold</b>');
      await alice.press('.chat-input', 'Enter');
      await bob.locator('.chat-message:not(.mine) .chat-text', { hasText: 'Hi Bob' }).waitFor();
      await bob.fill('.chat-input', 'Hello Alice');
      await bob.click('.composer button[type=submit]');
      await alice.locator('.chat-message:not(.mine)', { hasText: 'Hello Alice' }).waitFor();
      assert.deepEqual(await chatLines(bob), [
        { author: 'Alice', text: 'Hi Bob <b>not bold</b>' },
        { author: 'Bob', text: 'Hello Alice' },
      ]);
      assert.deepEqual((await chatLines(alice)).at(-1), { author: 'Bob', text: 'Hello Alice' });
      assert.equal(await bob.locator('.chat-log b').count(), 0, 'markup from a peer is not parsed');
    });

    await t.test(
      'a 5 MB file arrives intact: both bars at 100 %, same SHA-256, saved',
      async () => {
        const content = randomBytes(FILE_BYTES);
        const sha256 = createHash('sha256').update(content).digest('hex');
        const started = Date.now();
        await alice.setInputFiles('.file-input', {
          name: 'random.bin',
          mimeType: 'application/octet-stream',
          buffer: content,
        });
        const received = bob.locator('.transfer[data-direction="in"]');
        const sent = alice.locator('.transfer[data-direction="out"]');
        await received.and(bob.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
        await sent.and(alice.locator('[data-status="done"]')).waitFor({ timeout: 10_000 });
        t.diagnostic(`5 MB delivered and verified in ${Date.now() - started} ms`);
        for (const [card, who] of [
          [received, 'receiver'],
          [sent, 'sender'],
        ] as const) {
          assert.equal(await card.locator('.transfer-percent').textContent(), '100 %', who);
          const bar = card.locator('progress');
          assert.equal(
            await bar.evaluate((element: HTMLProgressElement) => element.value === element.max),
            true,
            `${who}'s bar is full`,
          );
          assert.equal(await card.locator('.transfer-digest').getAttribute('data-sha256'), sha256);
          assert.match((await card.locator('.transfer-status').textContent()) ?? '', /^✓/, who);
        }
        const [download] = await Promise.all([
          bob.waitForEvent('download'),
          received.locator('a[download]').click(),
        ]);
        assert.equal(download.suggestedFilename(), 'random.bin');
        const saved = readFileSync(await download.path());
        assert.equal(saved.length, FILE_BYTES);
        assert.equal(createHash('sha256').update(saved).digest('hex'), sha256, 'the saved file');
        await alice.screenshot({ path: `${ARTIFACTS}demo-chat-file-desktop.png` });
        await bob.screenshot({ path: `${ARTIFACTS}demo-chat-file-phone.png` });
      },
    );

    await t.test('a call: accept, video plays both ways, mute and camera toggles', async () => {
      await alice.click(`.peer[data-peer-id="${bobId}"] [data-action="call"]`);
      const prompt = bob.locator(`.call-prompt[data-peer="${aliceId}"]`);
      await prompt.waitFor();
      assert.equal(await prompt.locator('p').textContent(), 'Alice is calling…');
      await prompt.locator('[data-action="accept"]').click();
      const onAlice = await waitForPlayingVideo(
        alice,
        `video[data-peer="${bobId}"][data-kind="camera"]`,
      );
      const onBob = await waitForPlayingVideo(
        bob,
        `video[data-peer="${aliceId}"][data-kind="camera"]`,
      );
      t.diagnostic(
        `remote camera ${onAlice.width}x${onAlice.height} / ${onBob.width}x${onBob.height}`,
      );
      await waitForPlayingVideo(alice, 'video[data-peer="self"][data-kind="camera"]');

      await alice.click('.call-bar [data-action="mute"]');
      await alice.click('.call-bar [data-action="camera"]');
      const switched = await localTracks(alice);
      assert.deepEqual(switched.map((track) => [track.kind, track.enabled]).sort(), [
        ['audio', false],
        ['video', false],
      ]);
      await alice.click('.call-bar [data-action="mute"]');
      await alice.click('.call-bar [data-action="camera"]');
      assert.ok((await localTracks(alice)).every((track) => track.enabled));
    });

    await t.test('screen sharing reaches the other side as a separate screen tile', async () => {
      await alice.click('.call-bar [data-action="screen"]');
      const screen = await waitForPlayingVideo(
        bob,
        `video[data-peer="${aliceId}"][data-kind="screen"]`,
      );
      t.diagnostic(`remote screen ${screen.width}x${screen.height}`);
      assert.equal(
        await bob.locator(`video[data-peer="${aliceId}"][data-kind="camera"]`).count(),
        1,
        'the camera stays in its own tile',
      );
      await alice.screenshot({ path: `${ARTIFACTS}demo-call-desktop.png` });
      await bob.screenshot({ path: `${ARTIFACTS}demo-call-phone.png`, fullPage: true });
      const width = await bob.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `no sideways scrolling at 360 px (${width} px wide)`);
      await alice.click('.call-bar [data-action="screen"]');
      await bob
        .locator(`video[data-peer="${aliceId}"][data-kind="screen"]`)
        .waitFor({ state: 'detached', timeout: 10_000 });
    });

    await t.test('hang-up stops media on both sides', async () => {
      await bob.click('.call-bar [data-action="hang-up"]');
      for (const page of [alice, bob]) {
        await page.locator('video').first().waitFor({ state: 'detached', timeout: 10_000 });
        assert.equal(await page.locator('.media').isHidden(), true);
        await page.waitForFunction(
          () =>
            (window as unknown as { probe: { tracks: MediaStreamTrack[] } }).probe.tracks.every(
              (track) => track.readyState === 'ended',
            ),
          undefined,
          { timeout: 5000 },
        );
        assert.ok((await localTracks(page)).length >= 2, 'camera and microphone had been opened');
        assert.equal(await page.locator('.call-bar').count(), 0, 'the call controls are gone');
      }
      await alice.locator('.chat-note', { hasText: 'Bob hung up.' }).waitFor();
    });

    await t.test('after leaving, each finds the other under known peers, by key', async () => {
      for (const [page, other] of [
        [alice, 'Bob'],
        [bob, 'Alice'],
      ] as const) {
        await page.click('[data-action="leave"]');
        const known = page.locator('.known-peer', { hasText: other });
        await known.waitFor();
        assert.match((await known.locator('.fingerprint').textContent()) ?? '', /^[A-Z2-7-]{29}$/);
        assert.match((await known.textContent()) ?? '', /in demo-e2e/);
      }
      await alice.click('.known-peer [data-action="add"]');
      await alice.locator('.contact', { hasText: 'Bob' }).waitFor();
      assert.equal(await alice.locator('.known-peer').count(), 0, 'a contact is no longer listed');
    });

    const status = await browser.newPage();
    await status.goto(`${n1!.url()}/`);
    await status.screenshot({ path: `${ARTIFACTS}node-1-status.png`, fullPage: true });
    await status.close();
    assert.deepEqual([...pageErrors(alice), ...pageErrors(bob)], []);
    assert.deepEqual([...(await cspViolations(alice)), ...(await cspViolations(bob))], []);
  },
);

test(
  'demo app: a password room from a shared link; the password never enters the URL',
  { skip: noChromium, timeout: 60_000 },
  async (t) => {
    const testnet = await startBrowserTestnet(t);
    const [n1, n2, n3] = testnet.nodes;
    const browser = await launchDemoChromium(t);
    const alice = await openApp(browser, n1!.url(), '#room=locked&pw=1');
    assert.equal(await alice.getAttribute('input[name=password]', 'required'), '');
    await joinAs(alice, 'Alice', 'open sesame');
    assert.equal(new URL(alice.url()).hash, '#room=locked&pw=1');
    assert.doesNotMatch(alice.url(), /sesame/);
    await alice.locator('.badge', { hasText: 'password' }).waitFor();

    const bob = await openApp(browser, n2!.url(), new URL(alice.url()).hash, PHONE);
    await joinAs(bob, 'Bob', 'open sesame');
    await waitForPeerNamed(alice, 'Bob');
    await waitForPeerNamed(bob, 'Alice');

    // No node can be reached: the join form says so with the client's error code.
    const carol = await openApp(browser, n3!.url(), '#room=elsewhere', undefined, {
      nodesUnreachable: true,
    });
    await carol.fill('input[name=name]', 'Carol');
    await carol.click('details.advanced summary');
    await carol.fill('textarea[name=nodes]', 'http://127.0.0.1:9');
    await carol.click('form.join-form button[type=submit]');
    const error = carol.locator('.join-error:not([hidden])');
    await error.waitFor({ timeout: 20_000 });
    assert.match((await error.textContent()) ?? '', /^Could not join: NO_NODE_REACHABLE: /);
    await carol.screenshot({ path: `${ARTIFACTS}demo-join-error.png` });
  },
);
