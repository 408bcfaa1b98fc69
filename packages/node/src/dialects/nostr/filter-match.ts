import type { NostrEvent, NostrFilter } from '@sigmesh/protocol';

/** A REQ filter with its lists as sets, matched against every live event of its topics. */
export interface CompiledFilter {
  readonly ids?: ReadonlySet<string>;
  readonly authors?: ReadonlySet<string>;
  readonly kinds?: ReadonlySet<number>;
  readonly tags?: ReadonlyMap<string, ReadonlySet<string>>;
  readonly since?: number;
  readonly until?: number;
}

/** Turns a parsed filter into sets (a Trystero filter lists up to 250 topics). */
export function compileFilter(filter: NostrFilter): CompiledFilter {
  const compiled: {
    ids?: Set<string>;
    authors?: Set<string>;
    kinds?: Set<number>;
    tags?: Map<string, Set<string>>;
    since?: number;
    until?: number;
  } = {};
  if (filter.ids !== undefined) compiled.ids = new Set(filter.ids);
  if (filter.authors !== undefined) compiled.authors = new Set(filter.authors);
  if (filter.kinds !== undefined) compiled.kinds = new Set(filter.kinds);
  if (filter.tags !== undefined)
    compiled.tags = new Map(Object.entries(filter.tags).map(([k, v]) => [k, new Set(v)]));
  if (filter.since !== undefined) compiled.since = filter.since;
  if (filter.until !== undefined) compiled.until = filter.until;
  return compiled;
}

/** The topics (`#x` values) a filter names; undefined when it has no `#x` (any topic). */
export function filterTopics(filter: CompiledFilter): ReadonlySet<string> | undefined {
  return filter.tags?.get('x');
}

/**
 * NIP-01 matching: every field present must match; a list matches when any value does; a tag
 * filter compares the first value of each tag of that letter. `since` and `until` are widened by
 * `slackSeconds` because every event here is live: its created_at says only how the author's clock
 * was set, and a strict bound would drop the events of clients whose clocks are off.
 */
export function matchesFilter(
  filter: CompiledFilter,
  event: NostrEvent,
  slackSeconds: number,
): boolean {
  if (filter.ids !== undefined && !filter.ids.has(event.id)) return false;
  if (filter.kinds !== undefined && !filter.kinds.has(event.kind)) return false;
  if (filter.authors !== undefined && !filter.authors.has(event.pubkey)) return false;
  if (filter.since !== undefined && event.created_at < filter.since - slackSeconds) return false;
  if (filter.until !== undefined && event.created_at > filter.until + slackSeconds) return false;
  if (filter.tags !== undefined) {
    for (const [letter, values] of filter.tags) {
      if (!event.tags.some((tag) => tag[0] === letter && tag.length > 1 && values.has(tag[1]!)))
        return false;
    }
  }
  return true;
}
