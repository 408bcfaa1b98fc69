// One sigmesh node in its own process for the soak. Unlike bench/mesh/node-child.ts it keeps the
// default discovery timings (a soak should run what production runs: the testnet timings look
// every room up twice a second, which at hundreds of rooms per node is most of a node's work),
// counts its own log lines instead of printing them (warnings and the reasons members were cut
// are part of the report), and answers memory samples, optionally after a full collection.
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { createEphemeralIdentity, startNode, type NodeOptions } from '@sigmesh/node';
import { serveParent } from '../lib/child-process.js';

const options = JSON.parse(process.argv[2] ?? '{}') as NodeOptions;

/** Log lines by level and message (and code when there is one); the first warnings verbatim. */
const logCounts: Record<string, number> = {};
const firstWarnings: string[] = [];
/** The first three lines of every kind below info (what failed, with the error's message). */
const logExamples: Record<string, string[]> = {};
const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
const logger = pino(
  { level: 'debug', base: { name: 'sigmesh' } },
  {
    write(line: string) {
      const entry = JSON.parse(line) as { level: number; msg?: string; code?: string };
      const level = levelNames[entry.level] ?? String(entry.level);
      const key = `${level}: ${entry.msg ?? ''}${entry.code === undefined ? '' : ` (${entry.code})`}`;
      logCounts[key] = (logCounts[key] ?? 0) + 1;
      const examples = (logExamples[key] ??= []);
      if (entry.level !== 30 && examples.length < 3) examples.push(line.trim().slice(0, 600));
      if (entry.level >= 40 && firstWarnings.length < 20) firstWarnings.push(line.trim());
    },
  },
);

const node = await startNode({
  ...options,
  host: '127.0.0.1',
  port: 0,
  identity: createEphemeralIdentity(),
  logger,
});

let elu = performance.eventLoopUtilization();
const gc = (globalThis as { gc?: () => void }).gc;

serveParent(async (message) => {
  switch (message.type) {
    case 'port':
      return { port: node.address().port, id: node.id() };
    case 'sample': {
      if (message.gc === true) {
        if (gc === undefined) throw new Error('soak-node-child: started without --expose-gc');
        gc();
      }
      const now = performance.eventLoopUtilization();
      const window = performance.eventLoopUtilization(now, elu);
      elu = now;
      return {
        memory: process.memoryUsage(),
        cpu: process.cpuUsage(),
        elu: window.utilization,
        rooms: { ...node.stats() },
        mesh: { ...node.meshStats() },
        connections: { ...node.resources().connections },
        log: { ...logCounts },
        logExamples: message.examples === true ? logExamples : {},
        firstWarnings,
      };
    }
    case 'remoteMembers':
      // The mesh's view of a room (for diagnosing a presence mismatch).
      return { members: node.remoteMembers(String(message.room)) };
    case 'heapSnapshot':
      // For finding what grows: two snapshots compared by constructor (a debugging aid).
      return { file: writeHeapSnapshot(String(message.file)) };
    default:
      throw new Error(`soak-node-child: unknown request ${String(message.type)}`);
  }
});
