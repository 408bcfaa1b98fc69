import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPeerPolicy } from '../../src/turn/peer-policy.js';

test('special-purpose peers are denied by default, in every spelling', () => {
  const policy = createPeerPolicy();
  for (const address of [
    '127.0.0.1',
    '127.255.0.9',
    '0.0.0.0',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '10.0.0.1',
    '172.16.5.5',
    '192.168.0.1',
    '100.64.1.1',
    '169.254.169.254',
    '224.0.0.251',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '::ffff:10.0.0.1',
  ]) {
    assert.equal(policy.check(address), 'denied', address);
  }
  for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
    assert.equal(policy.check(address), 'allowed', address);
  }
  assert.equal(policy.check('not-an-ip'), 'invalid');
});

test('operator allow lists override the defaults; extra peers can be replaced at run time', () => {
  const policy = createPeerPolicy({
    allowedPeerCidrs: ['127.0.0.0/8'],
    deniedPeerCidrs: ['8.8.8.0/24'],
  });
  assert.equal(policy.check('127.0.0.1'), 'allowed');
  assert.equal(policy.check('::ffff:127.0.0.1'), 'allowed');
  assert.equal(policy.check('10.0.0.1'), 'denied');
  assert.equal(policy.check('8.8.8.8'), 'denied');
  policy.setExtraAllowed(['10.0.0.7']);
  assert.equal(policy.check('10.0.0.7'), 'allowed');
  assert.equal(policy.check('10.0.0.8'), 'denied');
  policy.setExtraAllowed([]);
  assert.equal(policy.check('10.0.0.7'), 'denied');
  assert.throws(
    () => createPeerPolicy({ allowedPeerCidrs: ['10.0.0.0/33'] }),
    /invalid allowed peer CIDR/,
  );
});
