import type { DialectContext } from '../dialect.js';
import type { RoomRegistry } from '../../rooms/room-registry.js';
import { AddressQuotas } from './address-quotas.js';
import { TopicBus } from './topic-bus.js';

/** What the topic dialects of one node share: one bus, and one set of per-address quotas. */
export interface TopicServices {
  readonly bus: TopicBus;
  readonly quotas: AddressQuotas;
}

// Keyed by the node's room registry: each node has one, and both dialect factories see it.
const services = new WeakMap<RoomRegistry, TopicServices>();

/** The node's topic services, made by whichever topic dialect comes first. */
export function topicServices(ctx: DialectContext): TopicServices {
  let found = services.get(ctx.rooms);
  if (found === undefined) {
    found = {
      bus: new TopicBus({
        rooms: ctx.rooms,
        log: ctx.log,
        now: ctx.now,
        dedupeSize: ctx.config.meshDedupeSize,
      }),
      quotas: new AddressQuotas({ config: ctx.config, load: ctx.load, now: ctx.now }),
    };
    services.set(ctx.rooms, found);
  }
  return found;
}
