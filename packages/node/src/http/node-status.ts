import type { NodeStatus, TurnMode } from '@sigmesh/protocol';
import type { NodeContext } from '../node-context.js';

/** This node's live state and links right now: the `GET /status` document and the page at `/`. */
export function buildNodeStatus(ctx: NodeContext): NodeStatus {
  const load = ctx.load.current();
  const dht = ctx.discovery.status();
  const rooms = ctx.rooms.stats();
  return {
    node: { id: ctx.identity.id, version: ctx.version, url: ctx.publicUrl() },
    uptimeSeconds: Math.max(0, Math.floor((ctx.now() - ctx.startedAt) / 1000)),
    price: ctx.pricing.basePrice().price,
    load: { cpu: round(load.cpu), mem: round(load.mem), smoothed: round(load.smoothed) },
    rooms: { rooms: rooms.rooms, members: rooms.members },
    dht: {
      bootstrap: dht.bootstrap,
      bootstrapped: dht.bootstrapped,
      routingTableSize: dht.routingTableSize,
    },
    turn: { mode: turnMode(ctx), allocations: ctx.turn.server?.stats().allocations ?? 0 },
    links: ctx.mesh.links(),
    dialects: ctx.dialects.map((dialect) => ({
      name: dialect.name,
      title: dialect.title,
      urls: dialect.paths.map((path) => webSocketUrl(ctx.publicUrl(), path)),
      connections: dialect.stats().connections,
    })),
  };
}

/** The ws(s) URL of `path` on the node whose public http(s) URL is `base`. */
export function webSocketUrl(base: string, path: string): string {
  const url = new URL(path, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Built-in when this node runs a TURN server, external when it mints for one, else off. */
export function turnMode(ctx: NodeContext): TurnMode {
  if (ctx.config.turnExternal !== '') return 'external';
  return ctx.turn.server === undefined ? 'off' : 'built-in';
}

/** Three decimals: enough for a fraction shown as a percentage. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
