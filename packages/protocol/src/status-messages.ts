import { isNodeId } from './mesh-frames.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// `GET /status`: one node's live state and its mesh links, polled by the status page at `/` (and
// by anyone drawing the mesh). docs/http-api.md shows an example.

/** One open mesh link, as the node reporting it sees it. */
export interface StatusLink {
  /** The linked node's id (hex ed25519 public key), proven by the signed handshake. */
  readonly id: string;
  /** The base URL the linked node announced in its handshake. */
  readonly url: string;
}

/** How the node offers TURN: its own server, credentials for an external one, or none. */
export type TurnMode = 'built-in' | 'external' | 'off';

/** `GET /status` as JSON. */
export interface NodeStatus {
  readonly node: { readonly id: string; readonly version: string; readonly url: string };
  /** Seconds since the node started. */
  readonly uptimeSeconds: number;
  /** Expected hashes per request for a quiet client now (the node-wide base price). */
  readonly price: number;
  /** Fractions in [0, 1]. */
  readonly load: { readonly cpu: number; readonly mem: number; readonly smoothed: number };
  /** Rooms with local members, and those members. */
  readonly rooms: { readonly rooms: number; readonly members: number };
  readonly dht: {
    readonly bootstrap: string;
    readonly bootstrapped: boolean;
    readonly routingTableSize: number;
  };
  readonly turn: { readonly mode: TurnMode; readonly allocations: number };
  /** Open mesh links (handshake completed). */
  readonly links: readonly StatusLink[];
  /** The protocols unchanged apps speak to this node (docs/dialects.md); [] from older nodes. */
  readonly dialects: readonly StatusDialect[];
}

/** One dialect a node serves: the WebSocket URLs to give an app, and its open connections. */
export interface StatusDialect {
  readonly name: string;
  readonly title: string;
  readonly urls: readonly string[];
  readonly connections: number;
}

const turnModes: readonly string[] = ['built-in', 'external', 'off'] satisfies TurnMode[];

/** An absolute http(s) URL of sane length: the only kind a page may link to or fetch from. */
function isHttpUrl(value: unknown): value is string {
  return isUrlOf(value, ['http:', 'https:']);
}

/** An absolute ws(s) URL of sane length. */
function isWsUrl(value: unknown): value is string {
  return isUrlOf(value, ['ws:', 'wss:']);
}

function isUrlOf(value: unknown, protocols: readonly string[]): value is string {
  if (typeof value !== 'string' || value.length > 512) return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Parses `GET /status` JSON from a node (any node: the answer is untrusted). The document must
 * have every section; a malformed link entry is dropped rather than failing the whole status.
 */
export function parseNodeStatus(value: unknown): ParseResult<NodeStatus> {
  if (
    !isRecord(value) ||
    !isRecord(value.node) ||
    !isRecord(value.load) ||
    !isRecord(value.rooms) ||
    !isRecord(value.dht) ||
    !isRecord(value.turn) ||
    !Array.isArray(value.links)
  )
    return rejected('BAD_REQUEST', 'not a sigmesh node status document');
  const { node, load, rooms, dht, turn } = value;
  if (!isNodeId(node.id) || typeof node.version !== 'string' || !isHttpUrl(node.url))
    return rejected('BAD_REQUEST', 'bad node section');
  if (!isCount(value.uptimeSeconds) || !isCount(value.price))
    return rejected('BAD_REQUEST', 'bad uptime or price');
  if (!isFraction(load.cpu) || !isFraction(load.mem) || !isFraction(load.smoothed))
    return rejected('BAD_REQUEST', 'bad load section');
  if (!isCount(rooms.rooms) || !isCount(rooms.members))
    return rejected('BAD_REQUEST', 'bad rooms section');
  if (
    typeof dht.bootstrap !== 'string' ||
    typeof dht.bootstrapped !== 'boolean' ||
    !isCount(dht.routingTableSize)
  )
    return rejected('BAD_REQUEST', 'bad dht section');
  if (typeof turn.mode !== 'string' || !turnModes.includes(turn.mode) || !isCount(turn.allocations))
    return rejected('BAD_REQUEST', 'bad turn section');
  const links: StatusLink[] = [];
  for (const link of value.links) {
    if (isRecord(link) && isNodeId(link.id) && isHttpUrl(link.url))
      links.push({ id: link.id, url: link.url });
  }
  const dialects: StatusDialect[] = [];
  for (const dialect of Array.isArray(value.dialects) ? value.dialects.slice(0, 16) : []) {
    if (
      isRecord(dialect) &&
      isShortText(dialect.name) &&
      isShortText(dialect.title) &&
      Array.isArray(dialect.urls) &&
      dialect.urls.length <= 8 &&
      dialect.urls.every(isWsUrl) &&
      isCount(dialect.connections)
    )
      dialects.push({
        name: dialect.name,
        title: dialect.title,
        urls: dialect.urls,
        connections: dialect.connections,
      });
  }
  return parsed({
    node: { id: node.id, version: node.version, url: node.url },
    uptimeSeconds: value.uptimeSeconds,
    price: value.price,
    load: { cpu: load.cpu, mem: load.mem, smoothed: load.smoothed },
    rooms: { rooms: rooms.rooms, members: rooms.members },
    dht: {
      bootstrap: dht.bootstrap,
      bootstrapped: dht.bootstrapped,
      routingTableSize: dht.routingTableSize,
    },
    turn: { mode: turn.mode as TurnMode, allocations: turn.allocations },
    links,
    dialects,
  });
}

function isShortText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 80;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isFraction(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= 1;
}
