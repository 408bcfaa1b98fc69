// A relay in its own process so the load's CPU is not counted: `sigmesh` (a node; its /nostr
// dialect, signatures checked) or `raw` (raw-relay.ts). The parent asks for its port and CPU time.
import { createEphemeralIdentity, startNode } from '@sigmesh/node';
import { serveParent } from '../lib/child-process.js';
import { startRawRelay } from './raw-relay.js';

const kind = process.argv[2];
let url: string;
if (kind === 'sigmesh') {
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    identity: createEphemeralIdentity(),
    logLevel: 'silent',
    dhtBootstrap: 'none',
    turnPort: -1,
    // The load comes from one address at full speed: the per-connection and per-address caps
    // would refuse it (that is their job); the cost measured is the work per accepted event.
    topicsEventsPerSecond: 1_000_000,
    topicsEventBurst: 10_000_000,
    topicsMaxConnectionsPerAddress: 10_000,
    topicsMaxBufferedBytes: 1 << 28,
    maxConnectionsPerAddress: 0,
  });
  url = `ws://127.0.0.1:${node.address().port}/nostr`;
} else if (kind === 'raw') {
  const relay = await startRawRelay();
  url = `ws://127.0.0.1:${relay.port}/`;
} else {
  throw new Error(`relay-child: unknown kind ${String(kind)} (sigmesh | raw)`);
}

serveParent((message) =>
  message.type === 'url'
    ? Promise.resolve({ url })
    : Promise.reject(new Error(`relay-child: unknown request ${String(message.type)}`)),
);
