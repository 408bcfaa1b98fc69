// A tracker server in its own process for the tracker benchmarks: `sigmesh` (a node serving the
// tracker dialect, its per-client limits lifted and its load pinned at 0 so admission does not
// throttle the measurement) or `reference` (bittorrent-tracker's own Server, WebSocket only).
import { Server } from 'bittorrent-tracker';
import { createEphemeralIdentity, startNode } from '@sigmesh/node';
import { serveParent } from '../lib/child-process.js';

const kind = process.argv[2];
let port: number;
if (kind === 'sigmesh') {
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    identity: createEphemeralIdentity(),
    logLevel: 'silent',
    dhtBootstrap: 'none',
    turnPort: -1,
    maxConnectionsPerAddress: 0,
    load: { current: () => ({ cpu: 0, mem: 0, smoothed: 0 }) },
    trackerMaxConnectionsPerAddress: 1_000_000,
    trackerMaxPeersPerAddress: 10_000_000,
    trackerAnnouncesPerSecond: 1_000_000,
    trackerOffersPerSecond: 1_000_000,
    trackerAddressAnnouncesPerSecond: 1_000_000,
    trackerAddressOffersPerSecond: 1_000_000,
    maxMembersPerRoom: 1_000_000,
  });
  port = node.address().port;
} else if (kind === 'reference') {
  const server = new Server({ http: false, udp: false, ws: true, stats: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.ws.address().port;
} else throw new Error(`tracker-server-child: unknown kind ${String(kind)} (sigmesh | reference)`);

const gc = (globalThis as { gc?: () => void }).gc;
serveParent(async (message) => {
  if (message.type === 'port') return { port };
  // Exits cleanly, so that `--cpu-prof` (SIGMESH_BENCH_CHILD_FLAGS) writes its profile.
  if (message.type === 'exit') {
    setImmediate(() => process.exit(0));
    return {};
  }
  if (message.type === 'memory') {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { memory: process.memoryUsage(), gc: gc !== undefined };
  }
  throw new Error(`unknown request ${String(message.type)}`);
});
