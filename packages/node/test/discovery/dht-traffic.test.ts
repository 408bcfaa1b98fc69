import assert from 'node:assert/strict';
import { test } from 'node:test';
import { krpcQueryMethod } from '../../src/discovery/dht-traffic.js';

// KRPC messages as k-rpc-socket encodes them: bencoded dicts, keys sorted (a, q, t, y).
type Value = Buffer | string | number | readonly Value[] | { readonly [key: string]: Value };
function bencoded(value: Value): Buffer {
  if (typeof value === 'number') return Buffer.from(`i${value}e`);
  if (typeof value === 'string') return bencoded(Buffer.from(value));
  if (Buffer.isBuffer(value)) return Buffer.concat([Buffer.from(`${value.length}:`), value]);
  if (Array.isArray(value))
    return Buffer.concat([Buffer.from('l'), ...value.map(bencoded), Buffer.from('e')]);
  const dict = value as { readonly [key: string]: Value };
  const keys = Object.keys(dict).sort();
  return Buffer.concat([
    Buffer.from('d'),
    ...keys.flatMap((key) => [bencoded(key), bencoded(dict[key]!)]),
    Buffer.from('e'),
  ]);
}
const id = Buffer.alloc(20, 7);
const t = Buffer.from([1, 2]);
const query = (q: string, a: { readonly [key: string]: Value } = { id }): Buffer =>
  bencoded({ t, y: 'q', q, a });
const answerOf = (r: { readonly [key: string]: Value }): Buffer => bencoded({ t, y: 'r', r });

test('krpcQueryMethod names each BEP 5 and BEP 44 query and skips answers and errors', () => {
  for (const method of ['ping', 'find_node', 'get_peers', 'announce_peer', 'get', 'put'] as const)
    assert.equal(krpcQueryMethod(query(method)), method);
  assert.equal(krpcQueryMethod(query('vote')), 'other', 'an unknown method');
  assert.equal(krpcQueryMethod(answerOf({ id })), undefined);
  assert.equal(krpcQueryMethod(bencoded({ t, y: 'e', e: [201, 'x'] })), undefined);
  assert.equal(krpcQueryMethod(bencoded({ t, y: 'q', q: 'ping', a: { id }, v: 'LT01' })), 'ping');
  assert.equal(krpcQueryMethod(Buffer.from('not krpc at all')), undefined);
});

test('krpcQueryMethod reads the method, not look-alike bytes in the arguments', () => {
  // The argument dict comes first and holds raw bytes: a target that spells `1:q4:ping` and even
  // `1:y1:q` must not decide the method.
  const target = Buffer.concat([Buffer.from('1:y1:q1:q4:ping'), Buffer.alloc(5)]);
  assert.equal(krpcQueryMethod(query('get_peers', { id, info_hash: target })), 'get_peers');
  const value = Buffer.from('1:q13:announce_peer1:y1:q');
  assert.equal(krpcQueryMethod(query('put', { id, v: value, seq: 1 })), 'put');
  // An answer whose values spell a query is still an answer.
  assert.equal(
    krpcQueryMethod(answerOf({ id, token: Buffer.from('1:q4:ping1:y1:qe') })),
    undefined,
  );
});
