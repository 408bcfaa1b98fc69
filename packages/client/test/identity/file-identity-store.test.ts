import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { SigmeshError } from '@sigmesh/protocol';
import { fileIdentityStore } from '../../src/identity/file-identity-store.js';
import {
  importIdentity,
  loadOrCreateIdentity,
} from '../../src/identity/load-or-create-identity.js';
import { memoryIdentityStore } from '../../src/identity/memory-identity-store.js';
import { verifySignature } from '../../src/identity/verify-signature.js';

async function directory(t: TestContext): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'sigmesh-identity-'));
  t.after(() => rm(path, { recursive: true, force: true }));
  return path;
}

function isCode(expected: string): (error: unknown) => boolean {
  return (error) => (error as Partial<SigmeshError>).code === expected;
}

test('a file store keeps the identity across loads, in a 0600 file, with no temporary left', async (t) => {
  const dir = await directory(t);
  const path = join(dir, 'keys', 'identity.json');
  const first = await loadOrCreateIdentity({ store: fileIdentityStore(path) });
  // A new store on the same path: what the next run of the app does.
  const again = await loadOrCreateIdentity({ store: fileIdentityStore(path) });
  assert.equal(again.id, first.id);
  assert.equal(again.fingerprint, first.fingerprint);
  const message = new TextEncoder().encode('same person');
  assert.equal(await verifySignature(first.publicKey, message, await again.sign(message)), true);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await stat(join(dir, 'keys'))).mode & 0o777, 0o700);
  assert.deepEqual(await readdir(join(dir, 'keys')), ['identity.json']);
  const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  assert.equal(file.format, 'sigmesh-identity');
  assert.equal(file.v, 1);
  assert.equal(file.publicKey, first.publicKey);
  assert.equal(file.exportable, false);
});

test('a file identity made without exportable is not exportable, and held non-extractable', async (t) => {
  const path = join(await directory(t), 'identity.json');
  const store = fileIdentityStore(path);
  const identity = await loadOrCreateIdentity({ store });
  await assert.rejects(identity.export(), isCode('IDENTITY_NOT_EXPORTABLE'));
  const loaded = await store.load();
  assert.equal(loaded?.privateKey.extractable, false);
  await assert.rejects(
    (await loadOrCreateIdentity({ store })).export(),
    isCode('IDENTITY_NOT_EXPORTABLE'),
  );
  // Made exportable, it exports, and the export imports into another store as the same identity.
  const exportable = await loadOrCreateIdentity({
    store: fileIdentityStore(join(await directory(t), 'identity.json')),
    exportable: true,
  });
  const copy = await importIdentity(await exportable.export(), { store: memoryIdentityStore() });
  assert.equal(copy.id, exportable.id);
});

test('saving replaces the file atomically and keeps it 0600 even over a wider one', async (t) => {
  const path = join(await directory(t), 'identity.json');
  await writeFile(path, 'placeholder', { mode: 0o644 });
  const store = fileIdentityStore(path);
  const original = await loadOrCreateIdentity({ store: memoryIdentityStore(), exportable: true });
  await importIdentity(await original.export(), { store });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await loadOrCreateIdentity({ store })).id, original.id);
  await store.clear();
  await assert.rejects(stat(path));
  await store.clear(); // Clearing nothing is fine.
  assert.notEqual((await loadOrCreateIdentity({ store })).id, original.id);
});

test('a corrupt or foreign file is refused with IDENTITY_STORE_CORRUPT and left untouched', async (t) => {
  const dir = await directory(t);
  const good = JSON.parse(
    await (async () => {
      const path = join(dir, 'good.json');
      await loadOrCreateIdentity({ store: fileIdentityStore(path) });
      return readFile(path, 'utf8');
    })(),
  ) as Record<string, unknown>;
  const other = JSON.parse(
    await (async () => {
      const path = join(dir, 'other.json');
      await loadOrCreateIdentity({ store: fileIdentityStore(path) });
      return readFile(path, 'utf8');
    })(),
  ) as Record<string, unknown>;
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', '{"format": "sigmesh-iden', /not JSON/],
    ['empty', '', /not JSON/],
    [
      'foreign JSON',
      JSON.stringify({ name: 'my-app', version: '1.0.0' }),
      /not a sigmesh identity/,
    ],
    ['JSON null', 'null', /not a sigmesh identity/],
    ['a later version', JSON.stringify({ ...good, v: 2 }), /version 2/],
    ['another algorithm', JSON.stringify({ ...good, algorithm: 'P-256' }), /algorithm/],
    ['no exportable flag', JSON.stringify({ ...good, exportable: 'no' }), /exportable/],
    ['a damaged public key', JSON.stringify({ ...good, publicKey: 'abc' }), /public key/],
    [
      'a damaged private key',
      JSON.stringify({ ...good, privateKey: String(good.privateKey).slice(0, 30) }),
      /private key/,
    ],
    [
      'keys that do not match',
      JSON.stringify({ ...good, publicKey: other.publicKey }),
      /not its private key/,
    ],
  ];
  for (const [what, text, message] of cases) {
    const path = join(dir, 'identity.json');
    await writeFile(path, text, { mode: 0o600 });
    await assert.rejects(
      loadOrCreateIdentity({ store: fileIdentityStore(path) }),
      (error) => isCode('IDENTITY_STORE_CORRUPT')(error) && message.test((error as Error).message),
      what,
    );
    assert.equal(await readFile(path, 'utf8'), text, `${what}: the file is left as it was`);
  }
});

test('fileIdentityStore needs a path', () => {
  assert.throws(() => fileIdentityStore(''), isCode('CLIENT_OPTIONS_INVALID'));
});

test('two first runs at once on one file end with one identity, the file written once', async (t) => {
  const path = join(await directory(t), 'identity.json');
  const made = await Promise.all(
    Array.from({ length: 4 }, () => loadOrCreateIdentity({ store: fileIdentityStore(path) })),
  );
  assert.deepEqual(new Set(made.map((identity) => identity.id)).size, 1);
  assert.equal((await loadOrCreateIdentity({ store: fileIdentityStore(path) })).id, made[0]!.id);
  assert.deepEqual(await readdir(join(path, '..')), ['identity.json'], 'no temporary file left');
});
