import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { buildIceServers } from '../../src/turn/ice-servers.js';
import { mintTurnCredentials, restUsernameExpiry } from '../../src/turn/rest-credentials.js';

test('mintTurnCredentials follows the TURN REST format coturn checks', () => {
  const credentials = mintTurnCredentials({
    secret: ['first', 'second'],
    id: 'peer:1',
    ttlSeconds: 600,
    nowMs: 1_700_000_000_500,
  });
  assert.equal(credentials.username, '1700000600:peer_1');
  assert.equal(
    credentials.credential,
    createHmac('sha1', 'first').update('1700000600:peer_1').digest('base64'),
  );
  assert.equal(credentials.ttl, 600);
  assert.equal(restUsernameExpiry(credentials.username), 1_700_000_600);
  assert.equal(restUsernameExpiry('alice'), undefined);
  assert.throws(() => mintTurnCredentials({ secret: [], id: 'x', ttlSeconds: 1, nowMs: 0 }));
});

test('buildIceServers lists stun: and turn: over UDP and TCP with the credentials', () => {
  const credentials = mintTurnCredentials({ secret: 's', id: 'x', ttlSeconds: 300, nowMs: 0 });
  assert.deepEqual(buildIceServers({ host: '2001:db8::1', port: 3478, credentials }), {
    iceServers: [
      { urls: ['stun:[2001:db8::1]:3478'] },
      {
        urls: ['turn:[2001:db8::1]:3478?transport=udp', 'turn:[2001:db8::1]:3478?transport=tcp'],
        username: credentials.username,
        credential: credentials.credential,
      },
    ],
    ttl: 300,
  });
});
