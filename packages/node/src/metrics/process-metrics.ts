import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { memoryTrimStats } from '../resources/memory-trim.js';

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
    const trimCounter = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers: [shared!],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    new Gauge({
      name: 'sigmesh_memory_trim_available',
      help: '1 where freed memory can be given back to the system (glibc and koffi), else 0.',
      registers: [shared],
      collect() {
        this.set(memoryTrimStats().available ? 1 : 0);
      },
    });
    trimCounter(
      'sigmesh_memory_trims_total',
      'Times freed native memory was given back to the system (--memory-trim-seconds).',
      () => memoryTrimStats().trims,
    );
    trimCounter(
      'sigmesh_memory_trimmed_bytes_total',
      'Resident memory given back to the system by those trims.',
      () => memoryTrimStats().releasedBytes,
    );
    trimCounter(
      'sigmesh_memory_trim_seconds_total',
      'Time spent giving memory back (the event loop waits that long).',
      () => memoryTrimStats().seconds,
    );
  }
  return shared;
}
