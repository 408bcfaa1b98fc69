import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicIpv4 } from '../../src/discovery/address-scope.js';

test('loopback, private, link-local, CGNAT, multicast and reserved addresses are not public', () => {
  for (const host of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    'example.org',
  ]) {
    assert.equal(isPublicIpv4(host), false, host);
  }
  for (const host of [
    '1.1.1.1',
    '8.8.8.8',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '223.255.255.255',
  ]) {
    assert.equal(isPublicIpv4(host), true, host);
  }
});
