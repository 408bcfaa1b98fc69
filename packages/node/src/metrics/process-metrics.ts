import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * The Node.js process metrics (`process_*`, `nodejs_*`: CPU, memory, heap, event-loop lag, GC,
 * handles) in one registry per process, made on first use. They describe the process, which all
 * nodes in it share; and `collectDefaultMetrics` starts an event-loop delay monitor and a GC
 * observer that it never stops, so one set per node would leak both for every node a process
 * starts (tests start hundreds). prom-client's global default registry is never used.
 */
export function processMetricsRegistry(): Registry {
  if (shared === undefined) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
  }
  return shared;
}
