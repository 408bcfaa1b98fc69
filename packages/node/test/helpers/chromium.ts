import { existsSync } from 'node:fs';

/** Debian's Chromium (scripts/test-all.sh installs it); tests drive it with playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** The flags measured to work on these machines (TEST-ENVIRONMENT.md), fake media included. */
export const CHROMIUM_FLAGS: string[] = [
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

/** Why browser tests cannot run here (a `skip` reason), or false. */
export const noChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (scripts/test-all.sh installs it)`;
