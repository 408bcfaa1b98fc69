/**
 * Static checks of the deployment files no test can run here (no container engine, no booted
 * systemd): the Dockerfile's instructions, compose.yaml's keys, and deploy/sigmesh.service through
 * `systemd-analyze verify`. Every SIGMESH_* variable they set must be a real option, the ports they
 * publish the ones the node uses, and the descriptor limit what docs/limits.md asks for. The
 * image's entrypoint and healthcheck are run by interop/packed-install.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { nodeOptionTable } from '../../src/config/node-option-table.js';
import { envName } from '../../src/config/option-spec.js';
import { dockerfileImage, parseDockerfile } from '../helpers/dockerfile.js';

const root = new URL('../../../../', import.meta.url).pathname;
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Every SIGMESH_* variable the node reads. */
const optionVariables = new Set([
  ...Object.values(nodeOptionTable).map((spec) => envName(spec.flag)),
  'SIGMESH_CONFIG',
]);
/** The descriptors the default caps need (docs/limits.md § Connections and descriptors). */
const NOFILE_NEEDED = 12_320;
/** Linux's default net.ipv4.ip_local_port_range, where TURN relay ports come from (operations.md). */
const RELAY_RANGE = '32768-60999';

test('Dockerfile: a slim Node 20 image running `sigmesh start` as a non-root user, identity on a volume, ports and healthcheck declared', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  const image = dockerfileImage(stages);
  assert.match(image.from, /^node:20-[a-z]+-slim$/);
  assert.ok(image.user !== undefined && !['root', '0'].includes(image.user), 'USER not root');
  assert.deepEqual(image.entrypoint, ['sigmesh']);
  assert.deepEqual(image.cmd, ['start']);
  for (const name of Object.keys(image.env).filter((n) => n.startsWith('SIGMESH_')))
    assert.ok(optionVariables.has(name), `${name} is an option of sigmesh start`);
  assert.ok(image.volumes.includes(image.env.SIGMESH_DATA_DIR!), 'the data dir is a volume');
  const ports = new Set(image.expose);
  for (const port of [
    `${image.env.SIGMESH_PORT}/tcp`,
    `${image.env.SIGMESH_TURN_PORT}/tcp`,
    `${image.env.SIGMESH_TURN_PORT}/udp`,
    `${image.env.SIGMESH_DHT_PORT}/udp`,
    `${RELAY_RANGE}/udp`,
  ])
    assert.ok(ports.has(port), `EXPOSE ${port}`);
  assert.ok(read('docs/operations.md').includes(RELAY_RANGE.replace('-', '–')));
  assert.ok(image.healthcheck !== undefined, 'HEALTHCHECK');
  assert.equal(image.healthcheck[0], 'node');
  const copied = image.copies.find((c) => c.to === image.healthcheck![1]);
  assert.ok(
    copied !== undefined && existsSync(join(root, copied.from)),
    'the healthcheck is copied in',
  );
  assert.ok(image.stopSignal === undefined || image.stopSignal === 'SIGTERM');
});

test('.dockerignore keeps installed and built trees out of the context, and not what the build uses', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const pattern of ['.git', '**/node_modules', '**/dist', 'release'])
    assert.ok(ignored.includes(pattern), pattern);
  const used = [
    'package.json',
    'package-lock.json',
    'scripts/pack-release.mjs',
    'deploy/container/healthcheck.mjs',
  ];
  for (const path of used) {
    assert.ok(existsSync(join(root, path)), path);
    assert.ok(
      !ignored.some((p) => path === p || path.startsWith(`${p}/`)),
      `${path} is in the context`,
    );
  }
});

test('compose.yaml: known keys, the image volume and option variables, host networking, coturn behind a profile', () => {
  const compose = parse(read('compose.yaml')) as Record<string, unknown>;
  const topKeys = ['name', 'services', 'volumes', 'networks', 'configs', 'secrets'];
  for (const key of Object.keys(compose)) assert.ok(topKeys.includes(key), `top-level key ${key}`);
  const serviceKeys = new Set(
    'build image restart network_mode environment env_file volumes ulimits stop_signal stop_grace_period profiles command entrypoint ports healthcheck depends_on user'.split(
      ' ',
    ),
  );
  const services = compose.services as Record<string, Record<string, unknown>>;
  for (const [name, service] of Object.entries(services))
    for (const key of Object.keys(service))
      assert.ok(serviceKeys.has(key), `services.${name}.${key}`);
  const node = services.node!;
  assert.equal(node.build, '.');
  assert.equal(node.network_mode, 'host');
  const image = dockerfileImage(parseDockerfile(read('Dockerfile')));
  assert.deepEqual(node.volumes, [`sigmesh-data:${image.env.SIGMESH_DATA_DIR}`]);
  assert.ok(Object.keys(compose.volumes as object).includes('sigmesh-data'));
  for (const name of Object.keys(node.environment as object))
    assert.ok(optionVariables.has(name), `${name} is an option of sigmesh start`);
  const nofile = (node.ulimits as { nofile: { soft: number; hard: number } }).nofile;
  assert.ok(nofile.soft >= NOFILE_NEEDED && nofile.hard >= NOFILE_NEEDED);
  const coturn = services.coturn!;
  assert.deepEqual(coturn.profiles, ['coturn']);
  for (const volume of coturn.volumes as string[])
    assert.ok(existsSync(join(root, volume.split(':')[0]!)), `${volume} exists`);
  // Every variable compose reads from .env is explained in the example .env.
  const example = read('deploy/compose.env.example');
  for (const [, name] of read('compose.yaml').matchAll(/\$\{([A-Z_]+)[:}]/g))
    assert.match(example, new RegExp(`^#?${name}=`, 'm'), `${name} in deploy/compose.env.example`);
});

test('deploy/sigmesh.service: hardened, LimitNOFILE per docs/limits.md, option variables, and systemd-analyze verify finds nothing', async (t) => {
  const unit = read('deploy/sigmesh.service');
  const settings = unit
    .split('\n')
    .filter((line) => /^[A-Za-z]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  const value = (key: string): string[] => settings.filter(([k]) => k === key).map(([, v]) => v);
  assert.deepEqual(value('ExecStart'), ['/opt/sigmesh/node_modules/.bin/sigmesh start']);
  assert.ok(Number(value('LimitNOFILE')[0]) >= NOFILE_NEEDED);
  for (const [key, expected] of Object.entries({
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    DynamicUser: 'yes',
    StateDirectory: 'sigmesh',
    Restart: 'on-failure',
    KillSignal: 'SIGTERM',
    CapabilityBoundingSet: '',
  }))
    assert.deepEqual(value(key), [expected], key);
  assert.deepEqual(value('AmbientCapabilities'), [], 'no capability unless uncommented');
  assert.match(value('RestrictAddressFamilies')[0]!, /AF_INET AF_INET6/);
  for (const assignment of value('Environment')) {
    const name = assignment.split('=')[0]!;
    if (name.startsWith('SIGMESH_')) assert.ok(optionVariables.has(name), name);
  }

  const analyze = '/usr/bin/systemd-analyze';
  if (!existsSync(analyze)) {
    t.skip(`${analyze} is not installed (scripts/test-all.sh installs systemd)`);
    return;
  }
  // verify also checks that ExecStart exists; /opt/sigmesh is not installed on a test machine.
  const dir = mkdtempSync(join(tmpdir(), 'sigmesh-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'sigmesh.service'),
    unit.replace('ExecStart=/opt/sigmesh/node_modules/.bin/sigmesh', 'ExecStart=/usr/bin/true'),
  );
  const { stdout, stderr } = await promisify(execFile)(analyze, [
    'verify',
    '--man=no',
    join(dir, 'sigmesh.service'),
  ]);
  assert.equal(`${stdout}${stderr}`, '', 'systemd-analyze verify prints nothing for a clean unit');
});
