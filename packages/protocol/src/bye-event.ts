import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

/** Why a node says `bye` to its members. */
export const byeReasons = ['stopping'] as const;
export type ByeReason = (typeof byeReasons)[number];

/** At most this many node URLs in one `bye` (a member needs a few, not the whole directory). */
export const BYE_MAX_NODES = 8;

/**
 * `event: bye` on a room stream: the node is about to close this stream (it is stopping, e.g. on
 * SIGTERM). The member should join the room on another node now, then close this stream itself;
 * the node closes it anyway after its drain time. The node takes no new joins meanwhile.
 */
export interface ByeEvent {
  readonly reason: ByeReason;
  /** Do not come back to this node before this many milliseconds (it may be restarting). */
  readonly retryAfterMs: number;
  /** How long the node keeps this stream open for the move, in milliseconds. */
  readonly drainMs: number;
  /** Other nodes this node knows (linked or verified), to join instead; may be empty. */
  readonly nodes: readonly string[];
}

/**
 * Parses the data of a `bye` event. An unknown reason is read as `stopping` (a newer node may
 * give finer reasons; the member's move is the same); non-URL entries of `nodes` are dropped.
 */
export function parseByeEvent(value: unknown): ParseResult<ByeEvent> {
  if (!isRecord(value)) return rejected('BAD_REQUEST', 'bye must be an object');
  const { retryAfterMs, drainMs, nodes } = value;
  if (!isMillis(retryAfterMs) || !isMillis(drainMs))
    return rejected('BAD_REQUEST', 'bye needs retryAfterMs and drainMs in milliseconds');
  if (nodes !== undefined && !Array.isArray(nodes))
    return rejected('BAD_REQUEST', 'bye nodes must be a list of URLs');
  const urls = (nodes ?? [])
    .filter((url): url is string => typeof url === 'string' && /^https?:\/\/[^\s]+$/.test(url))
    .slice(0, BYE_MAX_NODES);
  return parsed({ reason: 'stopping', retryAfterMs, drainMs, nodes: urls });
}

function isMillis(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
