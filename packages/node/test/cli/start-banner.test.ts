import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderBanner, type BannerFacts } from '../../src/cli/start-banner.js';

const facts: BannerFacts = {
  version: '0.1.0',
  nodeId: 'ab'.repeat(32),
  url: 'https://node.example.org',
  bound: { host: '0.0.0.0', port: 8443 },
  tls: true,
  turnPort: 3478,
  turnExternal: '',
  relayPorts: { low: 32768, high: 60999 },
  dht: {
    bootstrap: 'mainline',
    bootstrapped: false,
    routingTableSize: 0,
    port: 6881,
    randomPort: false,
  },
  identityFile: '/var/lib/sigmesh/identity.pem',
};

test('the banner names the URL, every port to open, the DHT state and the identity', () => {
  const banner = renderBanner(facts);
  assert.match(banner, /public URL {2}https:\/\/node\.example\.org/);
  assert.match(
    banner,
    /open ports {2}TCP 8443 \(HTTPS\), UDP\+TCP 3478 \(STUN\/TURN\), UDP 32768-60999 \(TURN relays\), UDP 6881 \(DHT\)/,
  );
  assert.match(banner, /DHT {9}bootstrap mainline; not bootstrapped yet/);
  assert.match(banner, /identity {4}\/var\/lib\/sigmesh\/identity\.pem/);
  assert.match(banner, /sigmesh doctor https:\/\/node\.example\.org/);
});

test('a random DHT port and an external TURN server are said so; no DHT, no DHT port', () => {
  const random = renderBanner({ ...facts, dht: { ...facts.dht, randomPort: true, port: 40001 } });
  assert.match(random, /UDP 40001 \(DHT, random: fix it with --dht-port\)/);
  const external = renderBanner({
    ...facts,
    turnPort: undefined,
    turnExternal: 'turn.example.org:3478',
  });
  assert.match(external, /TURN {8}external turn\.example\.org:3478/);
  assert.doesNotMatch(external, /STUN\/TURN\)/);
  const none = renderBanner({ ...facts, dht: { ...facts.dht, bootstrap: 'none' } });
  assert.doesNotMatch(none, /\(DHT/);
  assert.match(none, /DHT {9}off/);
});
