// A benchmark server in its own process, so the load generator's CPU and memory are not counted:
// `sigmesh` (startNode) or `raw` (the node:http baseline). The parent talks to it over IPC.
import { createEphemeralIdentity, startNode, type NodeOptions } from '@sigmesh/node';
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { Session } from 'node:inspector/promises';
import { startRawSseServer } from '../baseline/raw-sse-server.js';
import { serveParent } from './child-process.js';

const kind = process.argv[2];
const options = JSON.parse(process.argv[3] ?? '{}') as {
  heartbeatMs?: number;
  memberQueueBytes?: number;
  node?: NodeOptions;
  /** The raw baseline only: announce joins (see RawSseServerOptions.announceJoins). */
  rawAnnounceJoins?: boolean;
};
const heartbeatMs = options.heartbeatMs ?? 600_000;
const memberQueueBytes = options.memberQueueBytes ?? 1 << 20;

let port: number;
let stats: () => Record<string, number>;
if (kind === 'sigmesh') {
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    identity: createEphemeralIdentity(),
    logLevel: 'silent',
    heartbeatMs,
    memberQueueBytes,
    ...options.node,
  });
  port = node.address().port;
  stats = () => ({ ...node.stats() });
} else if (kind === 'raw') {
  const server = await startRawSseServer({
    host: '127.0.0.1',
    port: 0,
    heartbeatMs,
    memberQueueBytes,
    announceJoins: options.rawAnnounceJoins ?? true,
  });
  port = server.address().port;
  stats = () => server.stats();
} else {
  throw new Error(`server-child: unknown kind ${String(kind)} (sigmesh | raw)`);
}

const gc = (globalThis as { gc?: () => void }).gc;
/**
 * Garbage collections so far (`gc` request): young-generation scavenges, the rest, and the
 * main thread's time in them. Scavenges per operation stand for what an operation allocates; the
 * helper threads' part of each is in the process's CPU time, not in a profile of the main thread.
 */
const collections = { minor: 0, other: 0, ms: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) collections.minor++;
    else collections.other++;
    collections.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });
/** The V8 profiler, when a parent asked for a profile of a timed window (`profile-start`). */
let profiler: Session | undefined;

serveParent((message) => {
  switch (message.type) {
    case 'port':
      return Promise.resolve({ port });
    case 'stats':
      return Promise.resolve({ stats: stats() });
    case 'gc':
      return Promise.resolve({ gc: { ...collections } });
    case 'memory': {
      // Several full collections with turns of the event loop between them, so what is left is
      // what the server really retains.
      return (async () => {
        for (let i = 0; i < 3; i++) {
          gc?.();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return { memory: process.memoryUsage(), gc: gc !== undefined };
      })();
    }
    case 'heap-snapshot':
      // After full collections, like 'memory': for a diff of what members hold (bench/heap-diff.ts).
      return (async () => {
        for (let i = 0; i < 3; i++) {
          gc?.();
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return { file: writeHeapSnapshot(String(message.file)) };
      })();
    case 'profile-start':
      return (async () => {
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        // V8 samples every 1,000 µs by default: too coarse for a path of a few µs per request.
        const interval = Number(message.intervalUs ?? 1000);
        await profiler.post('Profiler.setSamplingInterval', { interval });
        await profiler.post('Profiler.start');
        return { profiling: true };
      })();
    case 'profile-stop':
      return (async () => {
        if (profiler === undefined) throw new Error('server-child: no profile running');
        const { profile } = await profiler.post('Profiler.stop');
        writeFileSync(String(message.file), JSON.stringify(profile));
        profiler.disconnect();
        profiler = undefined;
        return { file: message.file };
      })();
    default:
      return Promise.reject(new Error(`server-child: unknown request ${String(message.type)}`));
  }
});
