/**
 * A lasting identity in Debian Chromium: kept in IndexedDB across page reloads, its private key
 * non-extractable, and known to peers in a room by the same fingerprint after a reload.
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs e2e/client/client-identity.test.ts'
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type * as SigmeshClient from '@sigmesh/client';
import {
  joinInPage,
  launchChromium,
  noChromium,
  openClientPage,
  pageLog,
  waitForPeer,
  type PageRoomLog,
} from './client-pages.js';
import { startBrowserTestnet } from './mesh-testnet.js';

const BUNDLE = new URL(
  '../../packages/client/dist/browser/sigmesh-client.global.js',
  import.meta.url,
).pathname;

interface PageIdentity {
  readonly id: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly exportable: boolean;
}

type PageWindow = {
  sigmesh: typeof SigmeshClient;
  identity: SigmeshClient.Identity;
  room: SigmeshClient.Room;
  log: PageRoomLog;
  peerIdentities: Record<string, SigmeshClient.PeerIdentity>;
};

/** Loads (or makes) the page's identity from the default store, IndexedDB. */
function loadIdentityInPage(page: Page): Promise<PageIdentity> {
  return page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    w.identity = await w.sigmesh.loadOrCreateIdentity();
    const { id, publicKey, fingerprint, exportable } = w.identity;
    return { id, publicKey, fingerprint, exportable };
  });
}

/** Reloads the page: a new document, the library loaded again, nothing kept but storage. */
async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.addScriptTag({ path: BUNDLE });
}

test(
  'an identity in IndexedDB survives a page reload, and its private key stays non-extractable',
  { skip: noChromium, timeout: 60_000 },
  async (t) => {
    const testnet = await startBrowserTestnet(t, 1);
    const browser = await launchChromium(t);
    const page = await openClientPage(browser, testnet.nodes[0]!.url());
    const first = await loadIdentityInPage(page);
    assert.equal(first.exportable, false);
    assert.equal(first.publicKey.length, 43);
    const signed = await page.evaluate(async () => {
      const w = window as unknown as PageWindow;
      return Array.from(await w.identity.sign(new TextEncoder().encode('before the reload')));
    });

    await reload(page);
    assert.equal(
      await page.evaluate(() => typeof (window as unknown as { identity?: unknown }).identity),
      'undefined',
      'the reload dropped everything in memory',
    );
    const again = await loadIdentityInPage(page);
    assert.deepEqual(again, first, 'the same identity after the reload');

    const checks = await page.evaluate(async (signature) => {
      const w = window as unknown as PageWindow;
      const message = new TextEncoder().encode('before the reload');
      // The stored record itself, read straight from IndexedDB.
      const record = await new Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }>(
        (resolve, reject) => {
          const open = indexedDB.open('sigmesh-identity');
          open.onerror = () => reject(new Error(String(open.error)));
          open.onsuccess = () => {
            const get = open.result
              .transaction('identities', 'readonly')
              .objectStore('identities')
              .get('default');
            get.onerror = () => reject(new Error(String(get.error)));
            get.onsuccess = () => {
              open.result.close();
              resolve(get.result as { privateKey: CryptoKey; publicKey: CryptoKey });
            };
          };
        },
      );
      const exportRefusal = await crypto.subtle.exportKey('pkcs8', record.privateKey).then(
        () => 'exported',
        (error: unknown) => (error as Error).name,
      );
      const apiRefusal = await w.identity.export().then(
        () => 'exported',
        (error: unknown) => (error as { code?: string }).code ?? 'no code',
      );
      return {
        storedIsCryptoKey: record.privateKey instanceof CryptoKey,
        algorithm: record.privateKey.algorithm.name,
        extractable: record.privateKey.extractable,
        exportRefusal,
        apiRefusal,
        oldSignatureVerifies: await w.sigmesh.verifySignature(
          w.identity.publicKey,
          message,
          new Uint8Array(signature),
        ),
        newSignatureVerifies: await w.sigmesh.verifySignature(
          w.identity.publicKey,
          message,
          await w.identity.sign(message),
        ),
      };
    }, signed);
    assert.deepEqual(checks, {
      storedIsCryptoKey: true,
      algorithm: 'Ed25519',
      extractable: false,
      exportRefusal: 'InvalidAccessError',
      apiRefusal: 'IDENTITY_NOT_EXPORTABLE',
      oldSignatureVerifies: true,
      newSignatureVerifies: true,
    });

    // Another browser context is another origin storage: another person.
    const stranger = await openClientPage(browser, testnet.nodes[0]!.url());
    assert.notEqual((await loadIdentityInPage(stranger)).fingerprint, first.fingerprint);
  },
);

test(
  'a peer recognizes a page by its fingerprint in a room, before and after the page reloads',
  { skip: noChromium, timeout: 90_000 },
  async (t) => {
    const testnet = await startBrowserTestnet(t, 2);
    const [n1, n2] = testnet.nodes;
    const browser = await launchChromium(t);
    const [a, b] = await Promise.all([
      openClientPage(browser, n1!.url()),
      openClientPage(browser, n2!.url()),
    ]);
    const room = { appId: 'e2e', room: 'people', password: 'pw for the people room' };
    await joinInPage(b, { ...room, nodes: [n2!.url()] });
    await b.evaluate(() => {
      const w = window as unknown as PageWindow;
      w.peerIdentities = {};
      w.room.on('peer-join', (id, identity) => (w.peerIdentities[id] = identity));
    });

    const joinWithIdentity = async (): Promise<PageIdentity> => {
      const identity = await loadIdentityInPage(a);
      const selfId = await a.evaluate(
        async (options) => {
          const w = window as unknown as PageWindow;
          w.room = await w.sigmesh.joinRoom({ ...options, identity: w.identity });
          return w.room.selfId;
        },
        { ...room, nodes: [n1!.url()] },
      );
      assert.equal(selfId, identity.id);
      return identity;
    };
    const seenAtB = async (id: string): Promise<SigmeshClient.PeerIdentity> => {
      await waitForPeer(b, id);
      return b.evaluate((peer) => (window as unknown as PageWindow).peerIdentities[peer]!, id);
    };

    const before = await joinWithIdentity();
    const first = await seenAtB(before.id);
    assert.deepEqual(first, {
      algorithm: 'Ed25519',
      publicKey: before.publicKey,
      fingerprint: before.fingerprint,
    });

    await reload(a); // The page's room goes with it; B sees the peer leave.
    await b.waitForFunction(
      (id) => (window as unknown as PageWindow).log.left.includes(id),
      before.id,
      { timeout: 30_000, polling: 100 },
    );
    const after = await joinWithIdentity();
    assert.equal(after.fingerprint, before.fingerprint);
    await b.waitForFunction(
      (id) => (window as unknown as PageWindow).log.joined.filter((x) => x === id).length === 2,
      before.id,
      { timeout: 30_000, polling: 100 },
    );
    assert.deepEqual(await seenAtB(after.id), first);
    assert.deepEqual((await pageLog(b)).errors, []);
  },
);

test(
  'first identities made at once (two tabs, or twice in one) end as the one IndexedDB keeps',
  { skip: noChromium, timeout: 60_000 },
  async (t) => {
    const testnet = await startBrowserTestnet(t, 1);
    const browser = await launchChromium(t);
    const context = await browser.newContext();
    const tabs = await Promise.all(
      [0, 1].map(async () => {
        const page = await context.newPage();
        await page.goto(`${testnet.nodes[0]!.url()}/ip`);
        await page.addScriptTag({ path: BUNDLE });
        return page;
      }),
    );
    // Within a tab the calls surely overlap (each reads the empty store before any writes).
    const made = (
      await Promise.all(
        tabs.map((tab) =>
          tab.evaluate(async () => {
            const w = window as unknown as PageWindow;
            const made = await Promise.all([0, 1, 2].map(() => w.sigmesh.loadOrCreateIdentity()));
            return made.map((identity) => identity.fingerprint);
          }),
        ),
      )
    ).flat();
    assert.equal(new Set(made).size, 1, JSON.stringify(made));
    await reload(tabs[0]!);
    assert.equal((await loadIdentityInPage(tabs[0]!)).fingerprint, made[0]);
  },
);
