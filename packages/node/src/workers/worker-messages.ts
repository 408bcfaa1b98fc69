import { isRecord } from '@sigmesh/protocol';

/**
 * The messages between `sigmesh start --workers N`'s primary and its workers, over the cluster
 * IPC channel (docs/operations.md § Several cores).
 */
export type WorkerMessage =
  /** worker → primary: my private mesh port (127.0.0.1) is listening. */
  | { readonly t: 'sigmesh:port'; readonly port: number }
  /** worker → primary: my node's HTTP server takes connections (moved ones may come now). */
  | { readonly t: 'sigmesh:serving' }
  /** primary → worker: every worker's private mesh port, and the host's TURN REST secret. */
  | { readonly t: 'sigmesh:setup'; readonly ports: readonly number[]; readonly turnSecret: string }
  /**
   * worker → primary → worker `to`, with the connection's socket as the handle: a request that
   * belongs to worker `to`, as the bytes it arrived as (base64), to be parsed again there.
   */
  | { readonly t: 'sigmesh:handoff'; readonly to: number; readonly bytes: string };

/** A WorkerMessage from the IPC channel, or undefined for anything else (cluster's own). */
export function parseWorkerMessage(value: unknown): WorkerMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.t) {
    case 'sigmesh:port':
      return isPort(value.port) ? { t: value.t, port: value.port } : undefined;
    case 'sigmesh:serving':
      return { t: value.t };
    case 'sigmesh:setup':
      return Array.isArray(value.ports) &&
        value.ports.every(isPort) &&
        typeof value.turnSecret === 'string'
        ? { t: value.t, ports: value.ports, turnSecret: value.turnSecret }
        : undefined;
    case 'sigmesh:handoff':
      return Number.isInteger(value.to) && typeof value.bytes === 'string'
        ? { t: value.t, to: value.to as number, bytes: value.bytes }
        : undefined;
    default:
      return undefined;
  }
}

function isPort(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536;
}
