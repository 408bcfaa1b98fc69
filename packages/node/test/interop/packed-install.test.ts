/**
 * The four packages packed and installed outside the workspace, as a user or the container image
 * gets them (helpers/packed-install.ts: `npm ci --offline` of a pack-release directory, so it runs
 * in the test namespace): the tarballs' contents, `npx sigmesh start` serving `/` and `/app/`,
 * `@sigmesh/client` in Node (ESM, joining a room; types under a strict tsc with DOM types only),
 * its one-file bundle from a plain `<script>` in Chromium, and the Dockerfile's ENTRYPOINT + CMD
 * with the image's ENV as an unprivileged user whose only writable place is the data volume, with
 * the image's HEALTHCHECK. Needs a private namespace (WebRTC in Chromium):
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs packages/node/test/interop/packed-install.test.ts'
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type * as SigmeshClient from '@sigmesh/client';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, noChromium } from '../helpers/chromium.js';
import { dockerfileImage, parseDockerfile } from '../helpers/dockerfile.js';
import {
  offlineNpmEnv,
  packAndInstall,
  repoRoot,
  runCommand,
  spawnInstalledNode,
  type InstalledNode,
  type PackedInstall,
} from '../helpers/packed-install.js';
import { freePort } from '../helpers/reverse-proxy.js';

let install: PackedInstall;
let node: InstalledNode;
const scratch = mkdtempSync(join(tmpdir(), 'sigmesh-packed-data-'));

before(async () => {
  install = await packAndInstall();
  console.log(`packed in ${install.packMs} ms, installed offline in ${install.installMs} ms`);
  node = await spawnInstalledNode(
    'npx',
    ['sigmesh', 'start', '--host', '127.0.0.1', '--port', '0', '--turn-port', '0'].concat([
      '--dht-bootstrap',
      'none',
      '--data-dir',
      join(scratch, 'npx'),
      '--pow-base-difficulty',
      '64',
    ]),
    { cwd: install.dir, env: { ...process.env, ...offlineNpmEnv } },
  );
});

after(async () => {
  await node?.stop();
  rmSync(scratch, { recursive: true, force: true });
  if (install !== undefined) rmSync(install.dir, { recursive: true, force: true });
});

/** The files of a tarball, without the `package/` prefix. */
function tarFiles(tarball: string): string[] {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''));
}

test('each tarball carries its README, LICENSE and metadata, no tests, and no bundle source maps', () => {
  assert.equal(install.tarballs.length, 4);
  for (const tarball of install.tarballs) {
    const files = tarFiles(tarball);
    for (const needed of ['package.json', 'README.md', 'LICENSE'])
      assert.ok(files.includes(needed), `${tarball}: ${needed}`);
    assert.deepEqual(
      files.filter((f) => /(^|\/)test\/|\.test\.|tsbuildinfo/.test(f)),
      [],
      `${tarball}: no tests`,
    );
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as Record<string, unknown>;
    assert.equal(manifest.license, 'MIT');
    assert.deepEqual(manifest.engines, { node: '>=20.12' });
    assert.ok(Array.isArray(manifest.keywords) && manifest.keywords.includes('sigmesh'));
    assert.equal((manifest.repository as { type: string }).type, 'git');
  }
  const byName = (name: string): string[] =>
    tarFiles(install.tarballs.find((t) => t.includes(`sigmesh-${name}-`))!);
  const nodeFiles = byName('node');
  for (const file of [
    'bin/sigmesh.js',
    'assets/status-page.js',
    'dist/cli/main.js',
    'dist/index.d.ts',
  ])
    assert.ok(nodeFiles.includes(file), file);
  const client = byName('client');
  assert.ok(client.includes('dist/browser/sigmesh-client.global.js'));
  assert.deepEqual(
    client.filter((f) => f.startsWith('dist/browser/') && f.endsWith('.map')),
    [],
  );
  assert.deepEqual(
    byName('demo').filter((f) => f.endsWith('.map')),
    [],
  );
  assert.ok(byName('demo').includes('dist/index.html'));
});

test('npx sigmesh start, from the install, serves the status at / and the demo app at /app/', async () => {
  const status = await fetch(`${node.url}/`, { headers: { accept: 'application/json' } });
  assert.equal(status.status, 200);
  assert.match(JSON.stringify(await status.json()), /"version":"0\.1\.0"/);
  const app = await fetch(`${node.url}/app/`);
  assert.equal(app.status, 200);
  const html = await app.text();
  assert.match(html, /<script[^>]+app\.js/);
  assert.equal((await fetch(`${node.url}/app/app.js`)).status, 200);
  assert.ok(existsSync(join(scratch, 'npx')), 'the identity went to --data-dir');
});

test('Node: `import { joinRoom } from "@sigmesh/client"` joins a room on the installed node (PoW in its worker)', async () => {
  const script = join(install.dir, 'join.mjs');
  writeFileSync(
    script,
    `import { joinRoom, deriveRoomHash } from '@sigmesh/client';
const room = await joinRoom({ appId: 'packed', room: 'lobby', nodes: [process.argv[2]], k: 1, turn: false,
  rtc: { RTCPeerConnection: class {} } });
console.log(JSON.stringify({ nodes: room.nodes, room: deriveRoomHash('packed', 'lobby') }));
room.leave();
process.exit(0);
`,
  );
  const result = await runCommand(process.execPath, [script, node.url], {
    cwd: install.dir,
    timeoutMs: 30_000,
  });
  assert.equal(result.code, 0, result.stderr);
  const joined = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    nodes: string[];
    room: string;
  };
  assert.deepEqual(joined.nodes, [node.url]);
  assert.match(joined.room, /^[0-9a-f]{40}$/);
});

test('types: a consumer of @sigmesh/client and @sigmesh/protocol compiles under strict tsc with DOM types only', async () => {
  const dir = join(install.dir, 'consumer');
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
        lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false, exactOptionalPropertyTypes: true,
      },
      include: ['consumer.mts'],
    }), // prettier-ignore
  );
  writeFileSync(
    join(dir, 'consumer.mts'),
    `import { joinRoom, deriveRoomHash, type JoinRoomOptions, type Room } from '@sigmesh/client';
import { parseWelcomeEvent } from '@sigmesh/protocol';
const options: JoinRoomOptions = { appId: 'a', room: 'r', nodes: ['https://node.example.org'] };
export const joined: Promise<Room> = joinRoom(options);
export const hash: string = deriveRoomHash('a', 'r');
// @ts-expect-error nodes is required
export const missing: JoinRoomOptions = { appId: 'a', room: 'r' };
export const welcome = parseWelcomeEvent({});
`,
  );
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const result = await runCommand(process.execPath, [tsc, '-p', dir], { cwd: dir });
  assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
});

test(
  'browser: the one-file bundle from a plain <script> joins rooms; two pages meet and message',
  { skip: noChromium, timeout: 60_000 },
  async (t) => {
    const bundle = readFileSync(
      join(install.dir, 'node_modules/@sigmesh/client/dist/browser/sigmesh-client.global.js'),
    );
    const server = createServer((request, response) => {
      if (request.url === '/sigmesh-client.global.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      } else {
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><script src="/sigmesh-client.global.js"></script>');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const page0 = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    t.after(() => browser.close());
    const pages = await Promise.all([browser.newPage(), browser.newPage()]);
    for (const page of pages) await page.goto(page0);
    const joinInPage = (nodeUrl: string): Promise<void> => {
      const w = window as unknown as {
        sigmesh: typeof SigmeshClient;
        got: unknown[];
        room: unknown;
      };
      w.got = [];
      return w.sigmesh
        .joinRoom({ appId: 'packed', room: 'browser', nodes: [nodeUrl], k: 1, turn: false })
        .then((room) => {
          w.room = room;
          room.on('message', (data) => w.got.push(data));
          room.on('peer-join', (peerId) => void room.send('hello from a script tag', peerId));
        });
    };
    await Promise.all(pages.map((page) => page.evaluate(joinInPage, node.url)));
    for (const page of pages)
      await page.waitForFunction(
        () => (window as unknown as { got: unknown[] }).got.length > 0,
        undefined,
        { timeout: 30_000 },
      );
    for (const page of pages)
      assert.deepEqual(await page.evaluate(() => (window as unknown as { got: unknown[] }).got), [
        'hello from a script tag',
      ]);
  },
);

test('container: the image ENTRYPOINT + CMD with its ENV, as an unprivileged user, writes only the data volume; HEALTHCHECK follows the node', async (t) => {
  const image = dockerfileImage(
    parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')),
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
    },
  );
  // The image's paths mapped onto this install: /opt/sigmesh is the release dir, /data a fresh dir.
  const data = mkdtempSync(join(tmpdir(), 'sigmesh-volume-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const mapPath = (value: string): string =>
    value
      .replaceAll('/opt/sigmesh', install.dir)
      .replace(new RegExp(`^${image.env.SIGMESH_DATA_DIR}$`), data);
  // The files the image copies from the build context (the healthcheck script) go where it puts them.
  for (const copy of image.copies) copyFileSync(join(repoRoot, copy.from), mapPath(copy.to));
  const env: NodeJS.ProcessEnv = { HOME: '/nonexistent' };
  for (const [key, value] of Object.entries(image.env)) env[key] = mapPath(value);
  // Loopback only, no public DHT, free ports: a test machine is not a public node.
  Object.assign(env, {
    SIGMESH_HOST: '127.0.0.1',
    SIGMESH_PORT: String(await freePort()),
    SIGMESH_TURN_PORT: '0',
    SIGMESH_DHT_PORT: '0',
    SIGMESH_DHT_BOOTSTRAP: 'none',
  });
  // The image's `node` user is uid/gid 1000 and owns only /data.
  const asUser = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};
  if ('uid' in asUser) chownSync(data, 1000, 1000);
  const [command, ...args] = [...image.entrypoint, ...image.cmd];
  const started = await spawnInstalledNode(command!, args, {
    cwd: mapPath(image.workdir ?? '/'),
    env,
    ...asUser,
  });
  t.after(() => started.stop());
  assert.equal(started.url, `http://127.0.0.1:${env.SIGMESH_PORT}`);
  const identity = statSync(data).isDirectory()
    ? execFileSync('ls', [data], { encoding: 'utf8' })
    : '';
  assert.notEqual(identity.trim(), '', 'the node keeps its identity in the data volume');

  const [checker, ...checkArgs] = image.healthcheck!.map(mapPath);
  const healthy = await runCommand(checker!, checkArgs, { env, ...asUser, timeoutMs: 10_000 });
  assert.equal(healthy.code, 0, healthy.stderr);
  const { code, signal } = await started.stop();
  assert.deepEqual(
    { code, signal },
    { code: 0, signal: null },
    `stopped by ${image.stopSignal ?? 'SIGTERM'}`,
  );
  const unhealthy = await runCommand(checker!, checkArgs, { env, ...asUser, timeoutMs: 10_000 });
  assert.equal(unhealthy.code, 1, 'the healthcheck fails once the node is gone');
});
