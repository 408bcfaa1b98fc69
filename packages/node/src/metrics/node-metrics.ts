import { Counter, Gauge, Registry } from 'prom-client';
import { counters, gauges, labelled, takeSnapshot, type MetricSources } from './metric-table.js';
import { processMetricsRegistry } from './process-metrics.js';

export type { MetricSources } from './metric-table.js';

/** One node's Prometheus metrics. */
export interface NodeMetrics {
  /** The exposition format's content type (Prometheus text 0.0.4). */
  readonly contentType: string;
  /** The exposition text: this node's `sigmesh_*` metrics, then the process's. */
  render(): Promise<string>;
}

/**
 * A private registry for one node (several nodes run in one process in tests and testnets). Each
 * metric's `collect()` copies from one snapshot taken per scrape: nothing runs between scrapes.
 */
export function createNodeMetrics(sources: MetricSources): NodeMetrics {
  const registry = new Registry();
  const registers = [registry];
  let snapshot = takeSnapshot(sources);

  new Gauge({
    name: 'sigmesh_node_info',
    help: 'Always 1; the node id and software version as labels.',
    labelNames: ['id', 'version'],
    registers,
  }).set({ id: sources.identity.id, version: sources.version }, 1);
  new Gauge({
    name: 'sigmesh_start_time_seconds',
    help: 'When the node started, Unix seconds.',
    registers,
  }).set(sources.startedAt / 1000);
  for (const [name, help, read] of gauges) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(snapshot));
      },
    });
  }
  for (const [name, help, read] of counters) {
    new Counter({
      name,
      help,
      registers,
      collect() {
        // A counter has no set(): start from zero and add the node's own running total.
        this.reset();
        this.inc(read(snapshot));
      },
    });
  }
  for (const [name, help, label, type, read] of labelled) {
    const labelNames = [label];
    if (type === 'gauge')
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          for (const [value, n] of Object.entries(read(snapshot))) this.set({ [label]: value }, n);
        },
      });
    else
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [value, n] of Object.entries(read(snapshot))) this.inc({ [label]: value }, n);
        },
      });
  }

  new Gauge({
    name: 'sigmesh_dialect_connections',
    help: 'Open client connections of each dialect (docs/dialects.md).',
    labelNames: ['dialect'],
    registers,
    collect() {
      for (const dialect of snapshot.dialects)
        this.set({ dialect: dialect.name }, dialect.connections);
    },
  });
  new Counter({
    name: 'sigmesh_dialect_events_total',
    help: 'What each dialect handled and refused, by event (announces, offers, refusals…).',
    labelNames: ['dialect', 'event'],
    registers,
    collect() {
      this.reset();
      for (const dialect of snapshot.dialects)
        for (const [event, n] of Object.entries(dialect.counters))
          this.inc({ dialect: dialect.name, event }, n);
    },
  });

  return {
    contentType: registry.contentType,
    async render() {
      snapshot = takeSnapshot(sources);
      const own = await registry.metrics();
      return `${own}\n${await processMetricsRegistry().metrics()}`;
    },
  };
}
