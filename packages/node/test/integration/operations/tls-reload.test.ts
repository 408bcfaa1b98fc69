/**
 * Direct TLS with certificates renewed in place (certbot's rename-over pattern): the node serves
 * the new pair to new connections without a restart; a pair that does not match is logged and
 * the old one kept; with polling off, SIGHUP (here `reloadTls()`, and a real signal to a
 * `sigmesh start` process) loads it.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createEphemeralIdentity, startNode, type NodeOptions } from '../../../src/index.js';
import { spawnNode } from '../../helpers/node-process.js';
import { servedCommonName, tlsDirectory } from '../../helpers/tls-files.js';
import { waitFor } from '../../helpers/wait-for.js';

function startTlsNode(
  t: Parameters<typeof tlsDirectory>[0],
  options: NodeOptions,
): Promise<{ port: number; warnings: string[]; infos: string[]; reloadTls: () => unknown }> {
  const warnings: string[] = [];
  const infos: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const entry = JSON.parse(chunk.toString()) as { level: number; msg: string };
      (entry.level >= 40 ? warnings : infos).push(entry.msg);
      done();
    },
  });
  return startNode({
    host: '127.0.0.1',
    port: 0,
    turnPort: -1,
    dhtBootstrap: 'none',
    identity: createEphemeralIdentity(),
    logger: pino({ level: 'info' }, sink),
    ...options,
  }).then((node) => {
    t.after(() => node.stop());
    return { port: node.address().port, warnings, infos, reloadTls: () => node.reloadTls() };
  });
}

test('a renewed certificate is served without a restart; a mismatched pair is refused and the old one kept', async (t) => {
  const tls = tlsDirectory(t);
  tls.install(tls.make('first.example'));
  const node = await startTlsNode(t, {
    tlsCert: tls.certFile,
    tlsKey: tls.keyFile,
    tlsReloadMs: 100,
  });
  assert.equal(await servedCommonName(node.port), 'first.example');

  const second = tls.make('second.example');
  tls.install(second);
  await waitFor(
    async () => (await servedCommonName(node.port)) === 'second.example',
    'the renewed certificate to be served',
  );
  assert.deepEqual(node.warnings, []);

  // A broken renewal: a new certificate with the old key (they do not match).
  const third = tls.make('third.example');
  tls.install({ cert: third.cert, key: second.key });
  await waitFor(() => node.warnings.length > 0, 'the refused pair to be logged');
  assert.match(node.warnings[0]!, /TLS certificate not reloaded.*still serving the previous one/);
  assert.equal(await servedCommonName(node.port), 'second.example');
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(node.warnings.length, 1, 'a broken pair is reported once, not at every poll');

  // The key arrives: the pair is whole again and is served.
  tls.install(third);
  await waitFor(
    async () => (await servedCommonName(node.port)) === 'third.example',
    'the repaired pair to be served',
  );
});

test('with polling off, renewed files are loaded on reloadTls() (what SIGHUP calls) only', async (t) => {
  const tls = tlsDirectory(t);
  tls.install(tls.make('before.example'));
  const node = await startTlsNode(t, {
    tlsCert: tls.certFile,
    tlsKey: tls.keyFile,
    tlsReloadMs: 0,
  });
  tls.install(tls.make('after.example'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(await servedCommonName(node.port), 'before.example');
  const reload = node.reloadTls() as { ok: boolean; subject?: string };
  assert.deepEqual([reload.ok, reload.subject], [true, 'CN=after.example']);
  assert.equal(await servedCommonName(node.port), 'after.example');
});

test('SIGHUP to a sigmesh start process reloads its certificate and does not stop it', async (t) => {
  const tls = tlsDirectory(t);
  tls.install(tls.make('old.example'));
  const node = await spawnNode(t, {
    args: ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--tls-reload-ms', '0'],
  });
  assert.match(node.url, /^https:/);
  assert.equal(await servedCommonName(node.port), 'old.example');
  tls.install(tls.make('new.example'));
  node.signal('SIGHUP');
  await waitFor(
    () =>
      node.logs.some(
        (entry) =>
          typeof entry.msg === 'string' && entry.msg.startsWith('TLS certificate reloaded'),
      ),
    'the reload to be logged',
  );
  assert.equal(await servedCommonName(node.port), 'new.example');
  assert.ok(node.alive(), 'SIGHUP does not stop the node');
});
