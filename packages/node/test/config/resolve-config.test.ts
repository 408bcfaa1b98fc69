import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConfigError } from '../../src/config/resolve-config.js';
import { readConfigSources, resolveNodeConfig } from '../../src/config/resolve-config.js';
import { nodeDefaults } from '../../src/config/node-options.js';
import { nodeOptionTable } from '../../src/config/node-option-table.js';
import { renderStartHelp } from '../../src/config/render-help.js';

test('precedence is flag > env > file > default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sigmesh-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ port: 1111, host: '10.0.0.1', maxRooms: 5 }));
  const { options, problems } = readConfigSources(['--config', file, '--port', '3333'], {
    SIGMESH_PORT: '2222',
    SIGMESH_HOST: '127.0.0.1',
  });
  assert.deepEqual(problems, []);
  const config = resolveNodeConfig(options);
  assert.equal(config.port, 3333, 'flag beats env and file');
  assert.equal(config.host, '127.0.0.1', 'env beats file');
  assert.equal(config.maxRooms, 5, 'file beats default');
  assert.equal(config.heartbeatMs, nodeDefaults.heartbeatMs, 'default');
});

test('every problem is reported at once', () => {
  const { options, problems } = readConfigSources(
    ['--port', 'abc', '--bogus', '--trust-proxy=maybe', '--max-rooms'],
    { SIGMESH_MAX_MESSAGE_BYTES: 'lots' },
  );
  assert.equal(problems.length, 5, problems.join('\n'));
  assert.throws(
    () =>
      resolveNodeConfig({
        ...options,
        port: 70000,
        logLevel: 'loud' as never,
        tlsCert: 'cert.pem',
        powBaseDifficulty: 10,
        powMaxDifficulty: 5,
      }),
    (error: ConfigError) => error.problems.length === 4,
  );
});

test('boolean flags take --flag, --flag=false and --no-flag', () => {
  assert.equal(readConfigSources(['--trust-proxy'], {}).options.trustProxy, true);
  assert.equal(readConfigSources(['--trust-proxy=false'], {}).options.trustProxy, false);
  assert.equal(
    readConfigSources(['--no-trust-proxy'], { SIGMESH_TRUST_PROXY: 'true' }).options.trustProxy,
    false,
  );
});

test('--help lists every option with its env var and default', () => {
  const help = renderStartHelp();
  for (const spec of Object.values(nodeOptionTable)) {
    assert.ok(help.includes(`--${spec.flag}`), spec.flag);
    assert.ok(help.includes(`SIGMESH_${spec.flag.toUpperCase().replaceAll('-', '_')}`), spec.flag);
  }
  assert.ok(help.includes('(default: 8000)'));
});
