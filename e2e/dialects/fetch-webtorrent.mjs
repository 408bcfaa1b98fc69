// Fetches WebTorrent's browser build (dist/webtorrent.min.js, unchanged) from its npm package for
// the tracker e2e test, at install time (the test runs in a network namespace without the
// registry). `npm pack` downloads the registry's tarball and checks its integrity; installing
// the package instead would run a dependency's `npx only-allow pnpm`, which fails under npm.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const version = '3.0.21';
const dir = fileURLToPath(
  new URL(`../../node_modules/.cache/sigmesh-e2e/webtorrent-${version}/`, import.meta.url),
);
if (!existsSync(`${dir}package/dist/webtorrent.min.js`)) {
  try {
    mkdirSync(dir, { recursive: true });
    const tarball = execFileSync(
      'npm',
      ['pack', `webtorrent@${version}`, '--pack-destination', dir, '--silent'],
      { encoding: 'utf8' },
    ).trim();
    execFileSync('tar', ['-xzf', `${dir}${tarball}`, '-C', dir, 'package/dist/webtorrent.min.js']);
  } catch (error) {
    console.warn(
      `e2e: could not fetch webtorrent@${version} (${error.message}); the WebTorrent e2e test will fail`,
    );
  }
}
