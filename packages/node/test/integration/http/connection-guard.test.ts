/**
 * Admission of HTTP connections (issue 11): per-address and total caps at accept, with catalog
 * answers on plain HTTP, none over TLS, the per-address cap off behind a trusted proxy, and caps
 * sized from the host's open-file limit with one start-up warning when it is too low.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { parseErrorBody } from '@sigmesh/protocol';
import { pino } from 'pino';
import { createEphemeralIdentity, startNode } from '../../../src/index.js';
import { openIdleConnections } from '../../helpers/idle-flood.js';
import { parsePrometheusText, sampleValue } from '../../helpers/prometheus-text.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { tlsDirectory } from '../../helpers/tls-files.js';
import { startTestNode } from '../../helpers/test-node.js';

const json = { accept: 'application/json' };

function codesOf(answers: string[]): string[] {
  return answers.map(
    (text) => parseErrorBody(JSON.parse(text.split('\r\n\r\n')[1] ?? 'null'))?.code ?? text,
  );
}

test('connections over the per-address cap get 429 TOO_MANY_CONNECTIONS, over the total 503 CONNECTION_LIMIT; both counted', async (t) => {
  const node = await startTestNode(t, { maxConnections: 6, maxConnectionsPerAddress: 3 });
  const { port } = node.address();
  const first = await openIdleConnections({ port, count: 5, localAddress: '127.0.0.2' });
  t.after(() => first.close());
  assert.equal(first.held(), 3);
  assert.deepEqual(codesOf(first.answers()), ['TOO_MANY_CONNECTIONS', 'TOO_MANY_CONNECTIONS']);
  assert.match(first.answers()[0]!, /^HTTP\/1\.1 429 .*\r\n(.*\r\n)*retry-after: 10\r\n/);
  const second = await openIdleConnections({ port, count: 3, localAddress: '127.0.0.3' });
  t.after(() => second.close());
  assert.equal(second.held(), 3);
  const full = await rawRequest(`${node.url()}/`, { headers: json, localAddress: '127.0.0.4' });
  assert.equal(full.status, 503);
  assert.equal((full.json() as { code: string }).code, 'CONNECTION_LIMIT');
  assert.equal(full.headers['access-control-allow-origin'], '*');
  assert.deepEqual(node.resources().connections, {
    open: 6,
    refusedPerAddress: 2,
    refusedTotal: 1,
    acceptErrors: 0,
  });
  first.close();
  second.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const metrics = parsePrometheusText(
    (await rawRequest(`${node.url()}/metrics`, { localAddress: '127.0.0.4' })).body,
  );
  assert.equal(
    sampleValue(metrics, 'sigmesh_http_connections_refused_total', { reason: 'per_address' }),
    2,
  );
  assert.equal(
    sampleValue(metrics, 'sigmesh_http_connections_refused_total', { reason: 'total' }),
    1,
  );
  assert.equal(sampleValue(metrics, 'sigmesh_resource_limit', { resource: 'http_connections' }), 6);
});

test('behind a trusted proxy only the total cap applies (every connection comes from the proxy)', async (t) => {
  const node = await startTestNode(t, {
    trustProxy: true,
    maxConnections: 20,
    maxConnectionsPerAddress: 2,
  });
  const flood = await openIdleConnections({
    port: node.address().port,
    count: 8,
    localAddress: '127.0.0.2',
  });
  t.after(() => flood.close());
  assert.equal(flood.held(), 8);
});

const openssl = spawnSync('openssl', ['version']).status === 0;

test(
  'over TLS a refused connection is closed without a plaintext answer, a silent one after --headers-timeout-ms; admitted ones are served',
  { skip: openssl ? false : 'openssl not installed' },
  async (t) => {
    const tls = tlsDirectory(t);
    tls.install(tls.make('127.0.0.1'));
    const node = await startTestNode(t, {
      tlsCert: tls.certFile,
      tlsKey: tls.keyFile,
      maxConnectionsPerAddress: 2,
      headersTimeoutMs: 1000,
    });
    const ca = readFileSync(tls.certFile);
    // A connection that never starts its TLS handshake is dropped after --headers-timeout-ms.
    const silent = await openIdleConnections({
      port: node.address().port,
      count: 1,
      localAddress: '127.0.0.5',
      settleMs: 2500,
    });
    assert.equal(silent.closedByServer(), 1, 'the silent TLS connection was closed');
    const flood = await openIdleConnections({
      port: node.address().port,
      count: 4,
      localAddress: '127.0.0.2',
    });
    t.after(() => flood.close());
    assert.equal(flood.held(), 2);
    assert.equal(flood.closedByServer(), 2);
    assert.deepEqual(flood.answers(), [], 'no plaintext written on a TLS port');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        `${node.url()}/`,
        { ca, headers: json, localAddress: '127.0.0.3', signal: AbortSignal.timeout(5000) },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
  },
);

test('caps follow the host limits given to the node; a limit too low for them is one start-up warning', async (t) => {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    turnPort: 0,
    dhtBootstrap: 'none',
    identity: createEphemeralIdentity(),
    logger: pino({ level: 'info' }, sink),
    hostLimits: { fdLimit: 600, relayPorts: 100 },
  });
  t.after(() => node.stop());
  const { plan } = node.resources();
  assert.equal(plan.fdLimit, 600);
  assert.ok(plan.fdNeeded <= 600);
  assert.ok(plan.turnMaxAllocations <= 50, 'at most half the relay ports');
  const warnings = lines.filter((line) => line.level === 40);
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.match(warnings[0]!.msg, /open-file limit 600 is below/);
  assert.ok(lines.some((line) => line.msg === 'resource caps'));
});
