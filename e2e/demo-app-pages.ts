import { mkdirSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from './client/client-pages.js';

/** Screenshots of the app land here (gitignored). */
export const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

/** One Chromium with fake camera, microphone and screen (the flags auto-accept all three). */
export async function launchDemoChromium(t: TestContext): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  t.after(() => browser.close());
  return browser;
}

/** What a page records outside the app: every local track it opened, every CSP violation. */
interface PageProbe {
  readonly tracks: MediaStreamTrack[];
  readonly violations: string[];
}

const uncaught = new WeakMap<Page, string[]>();

/**
 * Opens `/app/` of `node` in a fresh context (its own storage) with `hash`, recording the tracks
 * getUserMedia/getDisplayMedia hand out, so a test can check that hang-up stopped them. With
 * `nodesUnreachable`, only the app's own files load: every other request fails as if no node could
 * be reached (the app connects for calls at start, and the client remembers the nodes it learns).
 */
export async function openApp(
  browser: Browser,
  node: string,
  hash: string,
  viewport = { width: 1280, height: 800 },
  { nodesUnreachable = false } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  if (nodesUnreachable)
    await context.route(
      (url) => !url.pathname.startsWith('/app/'),
      (route) => route.abort('connectionrefused'),
    );
  await context.addInitScript(() => {
    const probe: PageProbe = { tracks: [], violations: [] };
    (window as unknown as { probe: PageProbe }).probe = probe;
    document.addEventListener('securitypolicyviolation', (event) =>
      probe.violations.push(`${event.effectiveDirective} ${event.blockedURI}`),
    );
    // No named inner functions here: tsx would wrap them in a `__name` helper the page lacks.
    const devices = navigator.mediaDevices;
    const userMedia = devices.getUserMedia.bind(devices);
    const displayMedia = devices.getDisplayMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await userMedia(constraints);
      probe.tracks.push(...stream.getTracks());
      return stream;
    };
    devices.getDisplayMedia = async (options) => {
      const stream = await displayMedia(options);
      probe.tracks.push(...stream.getTracks());
      return stream;
    };
  });
  return reopenApp(context, node, hash);
}

/**
 * Opens `/app/` of `node` in a new page of a context {@link openApp} made: the same storage (the
 * same identity, contacts…), as when a user comes back after closing the tab.
 */
export async function reopenApp(context: BrowserContext, node: string, hash = ''): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  uncaught.set(page, errors);
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${node}/app/${hash}`);
  return page;
}

/** Fills the join form and waits for the room screen. */
export async function joinAs(page: Page, name: string, password?: string): Promise<void> {
  await page.fill('input[name=name]', name);
  if (password !== undefined) await page.fill('input[name=password]', password);
  await page.click('form.join-form button[type=submit]');
  await page.waitForSelector('.room-view', { timeout: 20_000 });
}

/** Waits until the peers list shows `name` with an open, connected channel; returns its id. */
export async function waitForPeerNamed(
  page: Page,
  name: string,
  timeout = 20_000,
): Promise<string> {
  const row = page.locator('.peer[data-open="true"][data-connection="connected"]', {
    has: page.locator('.peer-name', { hasText: name }),
  });
  await row.waitFor({ timeout });
  return (await row.getAttribute('data-peer-id')) ?? '';
}

/** Chat lines as the page shows them. */
export function chatLines(page: Page): Promise<Array<{ author: string; text: string }>> {
  return page.$$eval('.chat-message', (items) =>
    items.map((item) => ({
      author: item.querySelector('.chat-author')?.textContent ?? '',
      text: item.querySelector('.chat-text')?.textContent ?? '',
    })),
  );
}

/**
 * Waits until a video tile plays: it has a size, is not paused, and both its decoded frame count
 * and its current time move on after a first sample. Returns the video's width and height.
 */
export async function waitForPlayingVideo(
  page: Page,
  selector: string,
  timeout = 15_000,
): Promise<{ width: number; height: number }> {
  await page.waitForFunction(
    (css) => {
      const video = document.querySelector<HTMLVideoElement>(css);
      return video !== null && video.videoWidth > 0 && !video.paused;
    },
    selector,
    { timeout, polling: 100 },
  );
  const first = await page.$eval(selector, (video: HTMLVideoElement) => ({
    frames: video.getVideoPlaybackQuality().totalVideoFrames,
    time: video.currentTime,
  }));
  await page.waitForFunction(
    ({ css, frames, time }) => {
      const video = document.querySelector<HTMLVideoElement>(css);
      return (
        video !== null &&
        video.getVideoPlaybackQuality().totalVideoFrames > frames + 5 &&
        video.currentTime > time
      );
    },
    { css: selector, ...first },
    { timeout, polling: 100 },
  );
  return page.$eval(selector, (video: HTMLVideoElement) => ({
    width: video.videoWidth,
    height: video.videoHeight,
  }));
}

/** States of the local tracks the page opened (`live` or `ended`), by kind. */
export function localTracks(
  page: Page,
): Promise<Array<{ kind: string; state: string; enabled: boolean }>> {
  return page.evaluate(() =>
    (window as unknown as { probe: PageProbe }).probe.tracks.map((track) => ({
      kind: track.kind,
      state: track.readyState,
      enabled: track.enabled,
    })),
  );
}

/** What the page's CSP blocked so far (the app must need nothing it forbids). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { probe: PageProbe }).probe.violations);
}

/** Uncaught errors and unhandled rejections on the page so far. */
export function pageErrors(page: Page): string[] {
  return uncaught.get(page) ?? [];
}
