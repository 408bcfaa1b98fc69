import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeMemory, normalizeNodeUrl } from '../src/nodes/node-memory.js';
import { memoryStorage } from './helpers/werift-client.js';

test('node URLs are normalized; anything else is refused', () => {
  assert.equal(normalizeNodeUrl('http://127.0.0.1:8000/'), 'http://127.0.0.1:8000');
  assert.equal(normalizeNodeUrl('https://node.example/sig//'), 'https://node.example/sig');
  for (const bad of ['ftp://x', 'not a url', 'http://user:pw@x', 'http://x/?q=1', 'http://x/#h'])
    assert.equal(normalizeNodeUrl(bad), undefined, bad);
});

test('remembered nodes survive a reload, newest first, bounded, junk ignored', () => {
  const storage = memoryStorage();
  const memory = new NodeMemory(storage);
  for (let i = 0; i < 80; i++) memory.remember(`http://127.0.0.1:${9000 + i}`);
  memory.remember('http://127.0.0.1:9005');
  const reloaded = new NodeMemory(storage);
  assert.equal(reloaded.list().length, 64);
  assert.equal(reloaded.list()[0], 'http://127.0.0.1:9005');
  storage.setItem('sigmesh:nodes:v1', '{"not":"a list"}');
  assert.deepEqual(new NodeMemory(storage).list(), []);
  storage.setItem('sigmesh:nodes:v1', JSON.stringify(['javascript:alert(1)', 'http://ok:1']));
  assert.deepEqual(new NodeMemory(storage).list(), ['http://ok:1']);
});
