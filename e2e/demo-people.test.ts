/**
 * The demo app's people and calls (issue 14) in Debian Chromium on a local 3-node testnet: Alice
 * on node 1 and Bob on node 3 add each other by contact link (with its private inbox), see each
 * other online, call with video and audio, hang up — and nothing Alice's page sends names Bob's
 * key or his public inbox; Bob reloads and is still Bob with Alice as a contact; a call while
 * Bob's page is closed is shown to him as missed when he is back; with "only contacts" on, a
 * stranger's call is refused; her contact request survives Bob's reload; once Bob blocks her, her
 * call is refused again and never rings; a ring forged in Alice's name never rings. Screenshots go
 * to artifacts/.
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs e2e/demo-people.test.ts'
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type * as SigmeshClient from '@sigmesh/client';
import { fromBase64url, inboxRoomHash } from '@sigmesh/protocol';
import { noChromium, openClientPage } from './client/client-pages.js';
import { startBrowserTestnet } from './client/mesh-testnet.js';
import {
  ARTIFACTS,
  cspViolations,
  launchDemoChromium,
  openApp,
  pageErrors,
  reopenApp,
  waitForPlayingVideo,
} from './demo-app-pages.js';

const PHONE = { width: 360, height: 740 };

/**
 * Sets the name and waits until the app is reachable for calls; returns the key, fingerprint and
 * the private inbox (`KEY.SEAL`) the contact link carries.
 */
async function startAs(
  page: Page,
  name: string,
): Promise<{ key: string; fingerprint: string; inbox: string }> {
  await page.fill('input[name=name]', name);
  await page.locator('.people-status[data-tone="ok"]').waitFor({ timeout: 20_000 });
  const params = new URLSearchParams(new URL(await waitForLinkNamed(page, name)).hash.slice(1));
  return {
    key: params.get('contact') ?? '',
    fingerprint: (await page.textContent('.self-fingerprint')) ?? '',
    inbox: params.get('inbox') ?? '',
  };
}

/** The contact link once it names `name` and carries a private inbox (`people.card()`). */
async function waitForLinkNamed(page: Page, name: string): Promise<string> {
  await page.waitForFunction((expected) => {
    const link = document.querySelector<HTMLInputElement>('.contact-link')?.value ?? '';
    const params = new URLSearchParams(link.slice(link.indexOf('#') + 1));
    return params.get('name') === expected && params.has('inbox');
  }, name);
  return page.inputValue('.contact-link');
}

/** Every URL (without its `#…` part, which never leaves the browser) and body a page sends. */
function recordRequests(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', (request) => {
    sent.push(request.url().split('#', 1)[0] ?? '', request.postData() ?? '');
  });
  return sent;
}

/**
 * Nothing `sent` names Bob's key, his public inbox or his seal secret (`inbox` is `KEY.SEAL`
 * from his link), and some of it went to his private inbox.
 */
function bobReachedPrivately(sent: readonly string[], bobKey: string, inbox: string): void {
  const [inboxKey = '', seal = ''] = inbox.split('.');
  assert.ok(inboxKey !== '' && seal !== '' && inboxKey !== bobKey, 'a private inbox in the link');
  const publicInbox = inboxRoomHash(fromBase64url(bobKey)!);
  for (const secret of [bobKey, publicInbox, seal])
    assert.equal(
      sent.filter((text) => text.includes(secret)).length,
      0,
      `Alice's page never sent ${secret}`,
    );
  const privateInbox = inboxRoomHash(fromBase64url(inboxKey)!);
  assert.ok(
    sent.some((text) => text.includes(privateInbox)),
    'Alice reached Bob through his private inbox',
  );
}

function contactRow(page: Page, key: string) {
  return page.locator(`.contact[data-key="${key}"]`);
}

/** The remote camera tile of a call plays, and its stream's audio track is live. */
async function remoteMediaPlays(page: Page): Promise<string> {
  const selector = 'video[data-kind="camera"]:not([data-peer="self"])';
  const { width, height } = await waitForPlayingVideo(page, selector);
  const audio = await page.$eval(selector, (video: HTMLVideoElement) =>
    (video.srcObject as MediaStream).getAudioTracks().map((track) => track.readyState),
  );
  assert.deepEqual(audio, ['live'], 'the remote audio track is live');
  return `${width}x${height}`;
}

/** Records every ring dialog that appears on the page from now on (even one gone since). */
async function recordRings(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { ringsSeen: string[] }).ringsSeen = seen;
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (node instanceof HTMLElement && node.matches('.ring-overlay'))
            seen.push(node.dataset.from ?? '');
    }).observe(document.body, { childList: true, subtree: true });
  });
}

function ringsSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { ringsSeen: string[] }).ringsSeen);
}

test(
  'demo app: people add each other by link, see each other online, call, and are refused or protected as they chose',
  { skip: noChromium, timeout: 90_000 },
  async (t) => {
    const started = Date.now();
    const testnet = await startBrowserTestnet(t);
    const [n1, n2, n3] = testnet.nodes;
    const browser = await launchDemoChromium(t);
    const alice = await openApp(browser, n1!.url(), '');
    const aliceSent = recordRequests(alice);
    let bob = await openApp(browser, n3!.url(), '', PHONE);
    const bobContext = bob.context();
    const [a, b] = await Promise.all([startAs(alice, 'Alice'), startAs(bob, 'Bob')]);
    assert.match(a.fingerprint, /^([A-Z2-7]{4}-){5}[A-Z2-7]{4}$/);
    assert.notEqual(a.fingerprint, b.fingerprint);
    assert.equal(await alice.locator('canvas.qr-code').count(), 1, 'the link has a QR code');

    await t.test('they add each other by contact link and see each other online', async () => {
      // Bob pastes Alice's link; its fingerprint shows before he adds her.
      const aliceLink = await waitForLinkNamed(alice, 'Alice');
      await bob.fill('input[name=peer-link]', aliceLink);
      await bob.locator('.add-preview .fingerprint', { hasText: a.fingerprint }).waitFor();
      assert.equal(await bob.inputValue('input[name=peer-name]'), 'Alice');
      await bob.click('[data-action="add-peer"]');
      // Alice opens Bob's link (its #contact=… part, on her own node's app: her key lives there).
      const bobLink = await waitForLinkNamed(bob, 'Bob');
      await alice.goto(`${n1!.url()}/app/${new URL(bobLink).hash}`);
      const offer = alice.locator(`.contact-offer[data-key="${b.key}"]`);
      await offer.locator('.fingerprint', { hasText: b.fingerprint }).waitFor();
      await offer.locator('[data-action="accept-offer"]').click();
      assert.equal(new URL(alice.url()).hash, '', 'the link is consumed');
      // Both links carried a private inbox, kept with the contact: calls and pings go there.
      for (const [page, key] of [
        [alice, b.key],
        [bob, a.key],
      ] as const)
        await contactRow(page, key).and(page.locator('[data-reach="private"]')).waitFor();

      await contactRow(alice, b.key).and(alice.locator('[data-presence="online"]')).waitFor();
      await contactRow(bob, a.key).and(bob.locator('[data-presence="online"]')).waitFor();
      assert.equal(await contactRow(alice, b.key).locator('.person-name').textContent(), 'Bob');
      // With the round trip and the nodes Bob listens on.
      await contactRow(alice, b.key)
        .locator('.presence', { hasText: /^online · \d+ ms · via 127\.0\.0\.1:\d+/ })
        .waitFor();
      await alice.screenshot({ path: `${ARTIFACTS}demo-people-home-desktop.png`, fullPage: true });
      await bob.screenshot({ path: `${ARTIFACTS}demo-people-home-phone.png`, fullPage: true });
    });

    await t.test(
      'Alice calls Bob, Bob accepts: both see and hear the other, then hang up',
      async () => {
        await contactRow(alice, b.key).locator('[data-action="call-video"]').click();
        await alice.locator(`.calling-overlay[data-to="${b.key}"]`).waitFor();
        const ring = bob.locator(`.ring-overlay[data-from="${a.key}"]`);
        await ring.waitFor({ timeout: 20_000 });
        assert.equal(await ring.locator('.overlay-title').textContent(), 'Alice is calling…');
        assert.equal(await ring.locator('.fingerprint').textContent(), a.fingerprint);
        await bob.screenshot({ path: `${ARTIFACTS}demo-people-ring-phone.png` });
        await ring.locator('[data-action="accept-ring"]').click();
        for (const page of [alice, bob]) await page.locator('.room-view').waitFor();
        const sizes = [await remoteMediaPlays(alice), await remoteMediaPlays(bob)];
        t.diagnostic(`remote camera ${sizes.join(' / ')}`);
        assert.equal(await alice.locator('.calling-overlay').count(), 0);
        await alice.screenshot({ path: `${ARTIFACTS}demo-people-call-desktop.png` });
        await bob.screenshot({ path: `${ARTIFACTS}demo-people-call-phone.png` });

        // The ring, its answer and the pings went through Bob's private inbox.
        bobReachedPrivately(aliceSent, b.key, b.inbox);

        await alice.click('.call-bar [data-action="hang-up"]');
        for (const page of [alice, bob]) {
          await page.locator('main.home').waitFor({ timeout: 10_000 });
          await page.waitForFunction(() =>
            (window as unknown as { probe: { tracks: MediaStreamTrack[] } }).probe.tracks.every(
              (track) => track.readyState === 'ended',
            ),
          );
        }
      },
    );

    await t.test('Bob reloads: the same fingerprint, Alice still a contact', async () => {
      await bob.reload();
      await bob.locator('.people-status[data-tone="ok"]').waitFor({ timeout: 20_000 });
      assert.equal(await bob.textContent('.self-fingerprint'), b.fingerprint);
      assert.equal(await bob.inputValue('input[name=name]'), 'Bob');
      assert.equal(await contactRow(bob, a.key).locator('.person-name').textContent(), 'Alice');
    });

    await t.test('a call while Bob’s page is closed is a missed call when he is back', async () => {
      await bob.close();
      await contactRow(alice, b.key).locator('[data-action="call-audio"]').click();
      const calling = alice.locator(`.calling-overlay[data-to="${b.key}"]`);
      await calling.waitFor();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await calling.locator('[data-action="cancel-call"]').click();
      // Closed once the cancel went out and the missed-call note was written.
      await calling.waitFor({ state: 'detached', timeout: 20_000 });
      bob = await reopenApp(bobContext, n3!.url());
      const missed = bob.locator(`.missed-call[data-from="${a.key}"]`);
      await missed.waitFor({ timeout: 30_000 });
      assert.equal(await missed.locator('.person-name').textContent(), 'Alice');
      await bob.screenshot({ path: `${ARTIFACTS}demo-people-missed-phone.png`, fullPage: true });
    });

    await t.test(
      'with "only contacts" on, a stranger’s call is refused and never rings; her request gets through and outlives a reload; blocked, her call is refused',
      async () => {
        await bob.locator('.people-status[data-tone="ok"]').waitFor({ timeout: 20_000 });
        await bob.check('input[name=only-contacts]');
        await recordRings(bob);
        const carol = await openApp(browser, n2!.url(), '');
        const c = await startAs(carol, 'Carol');
        await carol.fill('input[name=peer-link]', b.key);
        await carol.click('[data-action="add-peer"]');
        await contactRow(carol, b.key).locator('[data-action="call-video"]').click();
        const refused = carol.locator(`.calling-overlay[data-to="${b.key}"][data-state="refused"]`);
        await refused.waitFor({ timeout: 20_000 });
        assert.match((await refused.textContent()) ?? '', /contacts only/);
        assert.deepEqual(await ringsSeen(bob), [], 'Bob saw no ring');
        // Strangers do not learn that Bob is online.
        await contactRow(carol, b.key).and(carol.locator('[data-presence="offline"]')).waitFor();
        await carol.screenshot({ path: `${ARTIFACTS}demo-people-refused.png` });
        // Requests still reach a contacts-only person, who can accept one.
        await carol.fill('input[name=peer-link]', b.key);
        await carol.fill('input[name=request-text]', 'Hi Bob, Carol from the lobby');
        await carol.click('[data-action="send-request"]');
        await carol.locator('.add-preview', { hasText: 'Request delivered.' }).waitFor();
        // The request is kept across a reload.
        await bob.locator(`.request[data-from="${c.key}"]`).waitFor();
        await bob.reload();
        await bob.locator('.people-status[data-tone="ok"]').waitFor({ timeout: 20_000 });
        const request = bob.locator(`.request[data-from="${c.key}"]`);
        assert.equal(await request.locator('.person-name').textContent(), 'Carol');
        assert.equal(
          await request.locator('.request-text').textContent(),
          'Hi Bob, Carol from the lobby',
        );
        await request.locator('[data-action="accept-request"]').click();
        await contactRow(bob, c.key).waitFor();
        assert.equal(await bob.locator('.request').count(), 0, 'an accepted request is gone');

        // Bob takes calls from anyone again but blocks Carol: her call is refused, no ring.
        await bob.uncheck('input[name=only-contacts]');
        bob.once('dialog', (dialog) => void dialog.accept());
        await contactRow(bob, c.key).locator('[data-action="block"]').click();
        await bob.locator(`.blocked li[data-key="${c.key}"]`).waitFor({ state: 'attached' });
        assert.equal(await contactRow(bob, c.key).count(), 0, 'no longer a contact');
        await recordRings(bob);
        await carol.locator('.calling-overlay [data-action="close"]').click();
        await refused.waitFor({ state: 'detached' });
        await contactRow(carol, b.key).locator('[data-action="call-audio"]').click();
        await refused.waitFor({ timeout: 20_000 });
        assert.deepEqual(await ringsSeen(bob), [], 'Bob saw no ring from a blocked key');
        assert.deepEqual(pageErrors(carol), []);
      },
    );

    await t.test('a ring forged in Alice’s name never rings at Bob', async () => {
      const mallory = await openClientPage(browser, n2!.url());
      const outcome = await mallory.evaluate(
        async ({ aliceKey, bobKey }) => {
          const { sigmesh } = window as unknown as { sigmesh: typeof SigmeshClient };
          const own = await sigmesh.loadOrCreateIdentity({
            store: sigmesh.memoryIdentityStore(),
          });
          const people = await sigmesh.connectPeople({
            appId: 'sigmesh-demo',
            nodes: [location.origin],
            listen: false,
            ringMs: 6000,
            // Alice's key, Mallory's signatures (`bind`: no named function for tsx to wrap).
            identity: { publicKey: aliceKey, sign: own.sign.bind(own) },
          });
          try {
            await people.call(bobKey, { video: true, audio: true });
            return 'accepted';
          } catch (error) {
            return (error as { code?: string }).code ?? String(error);
          } finally {
            people.close();
          }
        },
        { aliceKey: a.key, bobKey: b.key },
      );
      assert.equal(outcome, 'CALL_UNANSWERED', 'Bob never answers a ring Alice did not sign');
      assert.deepEqual(await ringsSeen(bob), [], 'Bob saw no ring');
      assert.equal(
        await bob.locator('.missed-call').count(),
        1,
        'and no missed call in Alice’s name',
      );
    });

    // And so did the call while Bob was away, and its missed-call note.
    bobReachedPrivately(aliceSent, b.key, b.inbox);
    assert.deepEqual([...pageErrors(alice), ...pageErrors(bob)], []);
    assert.deepEqual([...(await cspViolations(alice)), ...(await cspViolations(bob))], []);
    t.diagnostic(`whole scenario ${Date.now() - started} ms`);
  },
);
