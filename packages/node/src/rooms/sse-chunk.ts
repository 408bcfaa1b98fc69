import type { RoomEventName } from '@sigmesh/protocol';

/**
 * One server-sent event, encoded once so fan-out writes the same bytes to every member
 * (WHATWG HTML §9.2). JSON.stringify never emits a raw newline, so one `data:` line suffices.
 */
export function sseChunk(event: RoomEventName, data: unknown): Buffer {
  return Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
