import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install -y chromium); playwright-core drives it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags measured to work on these machines (shared/TEST-ENVIRONMENT.md), the same for every
 * page of every benchmark: loopback ICE candidates, and raw IPs instead of mDNS names.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** Launches Chromium with a fresh temporary profile (playwright's default). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** The browser's version string, for the results file. */
export function chromiumVersion(browser: Browser): string {
  return browser.version();
}
