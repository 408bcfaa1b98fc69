import type { ErrorCode } from '@sigmesh/protocol';

/** What the tracker counts (`sigmesh_dialect_events_total{dialect="tracker",event}`). */
export type TrackerEvent =
  | 'connections_opened'
  | 'connections_refused'
  | 'announces'
  | 'scrapes'
  | 'peers_joined'
  | 'peers_stopped'
  | 'peers_expired'
  | 'peers_taken_over'
  | 'offers_local'
  | 'offers_remote'
  | 'offers_untargeted'
  | 'offers_parked'
  | 'offers_unparked'
  | 'offers_moved'
  | 'offers_deduplicated'
  | 'offers_too_large_for_mesh'
  | 'answers_local'
  | 'answers_remote'
  | 'remote_offers_in'
  | 'remote_answers_in'
  | 'remote_answers_refused'
  | 'remote_messages_invalid'
  | 'mesh_messages_sent'
  | 'mesh_budget_exhausted'
  | `refused_${Lowercase<ErrorCode>}`;

/** Totals since start, by event. */
export class TrackerCounters {
  readonly #values: Record<string, number> = {};

  add(event: TrackerEvent, n = 1): void {
    this.#values[event] = (this.#values[event] ?? 0) + n;
  }

  /** Counts a refusal under `refused_<code>`. */
  refused(code: ErrorCode): void {
    this.add(`refused_${code.toLowerCase() as Lowercase<ErrorCode>}`);
  }

  snapshot(): Readonly<Record<string, number>> {
    return { ...this.#values };
  }
}
