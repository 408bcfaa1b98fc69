import type { ByeEvent } from '@sigmesh/protocol';
import type { Logger } from '../log/create-logger.js';
import type { RoomRegistry } from './room-registry.js';

/** How often a drain looks whether the members have gone. */
const DRAIN_POLL_MS = 50;

/** What a drain did, for the log and tests. */
export interface DrainOutcome {
  /** Members that were sent `bye`. */
  readonly told: number;
  /** Stream members still connected when the drain ended (closed by the stop that follows). */
  readonly remaining: number;
  readonly elapsedMs: number;
}

/**
 * The first half of a graceful stop: refuse new joins, send every stream member `bye` (with
 * other nodes to go to), and wait until they have left — each after joining elsewhere — or
 * `drainMs` has passed, or `cut` is aborted (a second SIGTERM). The mesh stays up meanwhile, so
 * a member's hello on its new node still reaches the members here.
 */
export async function drainMembers(options: {
  rooms: RoomRegistry;
  bye: ByeEvent;
  log: Logger;
  cut?: AbortSignal;
}): Promise<DrainOutcome> {
  const { rooms, bye, log, cut } = options;
  const started = performance.now();
  const told = rooms.sayBye(bye);
  log.info(
    { members: told, drainMs: bye.drainMs, nodes: bye.nodes.length },
    `draining: told ${told} member${told === 1 ? '' : 's'} to move to other nodes`,
  );
  const deadline = started + bye.drainMs;
  let wake: () => void = () => undefined;
  const onCut = (): void => wake();
  cut?.addEventListener('abort', onCut, { once: true });
  while (rooms.streamMembers() > 0 && performance.now() < deadline && cut?.aborted !== true) {
    const wait = Math.min(DRAIN_POLL_MS, Math.max(1, deadline - performance.now()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  cut?.removeEventListener('abort', onCut);
  const outcome = {
    told,
    remaining: rooms.streamMembers(),
    elapsedMs: Math.round(performance.now() - started),
  };
  log.info(outcome, 'drain finished');
  return outcome;
}
