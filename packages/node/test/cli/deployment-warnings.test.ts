import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deploymentWarnings, type DeploymentFacts } from '../../src/cli/deployment-warnings.js';

const local: DeploymentFacts = {
  host: '127.0.0.1',
  publicUrl: '',
  url: 'http://127.0.0.1:8000',
  trustProxy: false,
  turnPort: 3478,
  turnRelayIp: '',
  uid: 1000,
  interfaceAddresses: ['10.0.0.4'],
};

test('a node on loopback with a loopback URL (tests, sigmesh dev, a local try) gets no warning', () => {
  assert.deepEqual(deploymentWarnings(local), []);
});

test('running as root is a warning', () => {
  const [warning] = deploymentWarnings({ ...local, uid: 0 });
  assert.match(warning!, /^running as root/);
});

test('all interfaces with a loopback or private URL, or none given, says to set --public-url', () => {
  for (const url of ['http://localhost:8000', 'http://192.168.1.5:8000', 'http://[::1]:8000']) {
    const warnings = deploymentWarnings({ ...local, host: '0.0.0.0', url });
    assert.equal(warnings.length, 1, url);
    assert.match(warnings[0]!, /set --public-url/);
  }
  assert.match(
    deploymentWarnings({ ...local, host: '0.0.0.0', url: 'http://localhost:8000' })[0]!,
    /\(no --public-url\)/,
  );
});

test('loopback behind a public URL without --trust-proxy is a warning; with it, none', () => {
  const proxied = {
    ...local,
    publicUrl: 'https://node.example.org',
    url: 'https://node.example.org',
  };
  assert.match(deploymentWarnings({ ...proxied, turnPort: undefined })[0]!, /--trust-proxy/);
  assert.deepEqual(deploymentWarnings({ ...proxied, turnPort: undefined, trustProxy: true }), []);
});

test('TURN relaying from private addresses only on a public node says to set --turn-relay-ip', () => {
  const vm = {
    ...local,
    host: '0.0.0.0',
    publicUrl: 'https://node.example.org',
    url: 'https://node.example.org',
  };
  assert.match(deploymentWarnings(vm)[0]!, /private addresses \(10\.0\.0\.4\).*--turn-relay-ip/);
  assert.deepEqual(deploymentWarnings({ ...vm, turnRelayIp: '203.0.114.9' }), []);
  assert.deepEqual(
    deploymentWarnings({ ...vm, interfaceAddresses: ['10.0.0.4', '198.51.99.7'] }),
    [],
  );
  assert.match(
    deploymentWarnings({ ...vm, turnRelayIp: '172.16.0.9' })[0]!,
    /--turn-relay-ip 172\.16\.0\.9 is not a public address/,
  );
  assert.deepEqual(
    deploymentWarnings({ ...vm, turnPort: undefined }),
    [],
    'no built-in TURN, no check',
  );
});
