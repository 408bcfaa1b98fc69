import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressCounts, addressShareKey } from '../../src/turn/address-share.js';

test('shares are per IPv4 address and per IPv6 /64; mapped IPv4 counts as IPv4', () => {
  assert.equal(addressShareKey('198.51.100.7'), '198.51.100.7');
  assert.equal(addressShareKey('::ffff:198.51.100.7'), '198.51.100.7');
  assert.equal(addressShareKey('2001:db8:1:2::1'), addressShareKey('2001:db8:1:2:ffff::9'));
  assert.notEqual(addressShareKey('2001:db8:1:2::1'), addressShareKey('2001:db8:1:3::1'));
  assert.equal(addressShareKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
});

test('counts forget a key at zero', () => {
  const counts = new AddressCounts();
  counts.add('a');
  counts.add('a');
  counts.remove('a');
  assert.equal(counts.get('a'), 1);
  counts.remove('a');
  counts.remove('a');
  assert.equal(counts.get('a'), 0);
});
