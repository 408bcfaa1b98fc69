// A loopback DHT in its own process, so its CPU is not counted against the sigmesh nodes.
import { createLocalDht } from '@sigmesh/node';
import { serveParent } from '../lib/child-process.js';

const dht = await createLocalDht({ nodes: Number(process.argv[2] ?? '20') });
const bootstrap = dht.bootstrap.map((a) => `${a.host}:${a.port}`);

serveParent((message) => {
  if (message.type === 'bootstrap') return Promise.resolve({ bootstrap });
  return Promise.reject(new Error(`dht-child: unknown request ${String(message.type)}`));
});
