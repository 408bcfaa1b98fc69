import type { DhtClient } from './dht-client.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import type { DiscoveryLogger } from './discovery-logger.js';
import type { NodeDirectory } from './node-directory.js';
import type { RoomRendezvous } from './room-rendezvous.js';

/** When each periodic task is next due (Unix ms); all 0 right after (re)joining the DHT. */
export interface MaintenanceDue {
  nodeAnnounce: number;
  descriptor: number;
  nodeLookup: number;
}

/**
 * One maintenance run on a bootstrapped DHT: what is due (or everything with `force`) of the
 * node announce, the descriptor republish and the room announces and lookups, side by side; then
 * the node lookup. Failures are logged at debug and retried at the next due time. Resolves with
 * the seq of a descriptor published in this run, if any.
 */
export async function runMaintenance(options: {
  readonly client: DhtClient;
  readonly force: boolean;
  readonly now: number;
  readonly due: MaintenanceDue;
  readonly limits: DiscoveryLimits;
  readonly directory: NodeDirectory;
  readonly rooms: RoomRendezvous;
  readonly log: DiscoveryLogger;
  /** False once the run's client was replaced (stop, restart): skip what is left. */
  readonly current: () => boolean;
}): Promise<number | undefined> {
  const { client, force, now, due, limits, directory, log } = options;
  const steps: Array<Promise<unknown>> = [];
  let seq: number | undefined;
  if (force || now >= due.nodeAnnounce) {
    due.nodeAnnounce = now + limits.nodeAnnounceMs;
    steps.push(
      directory
        .announce(client)
        .catch((error: unknown) => log.debug({ err: error }, 'discovery: node announce failed')),
    );
  }
  if (force || now >= due.descriptor) {
    due.descriptor = now + limits.descriptorRepublishMs;
    steps.push(
      directory
        .publish(client)
        .then((published) => (seq = published))
        .catch((error: unknown) =>
          log.debug({ err: error }, 'discovery: descriptor publish failed'),
        ),
    );
  }
  steps.push(options.rooms.refresh(client, force));
  await Promise.all(steps);
  if (options.current() && (force || now >= due.nodeLookup)) {
    due.nodeLookup = now + limits.nodeLookupMs;
    await directory
      .lookupNodes(client)
      .catch((error: unknown) => log.debug({ err: error }, 'discovery: node lookup failed'));
  }
  return seq;
}
