/**
 * The allocation lifetime the server grants (RFC 8656 §7.2 and §7.3 leave the choice to the
 * server). Normally the requested value, at least `defaultLifetimeSeconds` and at most
 * `maxLifetimeSeconds`. While the server is crowded (`crowdedPercent` of `maxAllocations` or
 * more in use) at most `crowdedLifetimeSeconds`: a client that walks away — or an attacker who
 * allocates and stops paying attention — frees its slots within minutes, not an hour, and
 * clients still in use simply refresh sooner (libwebrtc refreshes a short lifetime at half of it).
 */
import type { TurnContext } from './turn-context.js';

/** True when allocations (live and opening) fill at least `crowdedPercent` of the server. */
export function isCrowded(context: Pick<TurnContext, 'options' | 'state'>): boolean {
  const { options, state } = context;
  const used = state.allocations.size + state.pending.size;
  return used * 100 >= options.crowdedPercent * options.maxAllocations;
}

/** Seconds to grant for a request asking for `requested` (undefined: no LIFETIME attribute). */
export function grantLifetime(
  context: Pick<TurnContext, 'options' | 'state'>,
  requested: number | undefined,
): number {
  const { defaultLifetimeSeconds, maxLifetimeSeconds, crowdedLifetimeSeconds } = context.options;
  const normal = Math.min(
    maxLifetimeSeconds,
    Math.max(defaultLifetimeSeconds, requested ?? defaultLifetimeSeconds),
  );
  return isCrowded(context) ? Math.min(normal, crowdedLifetimeSeconds) : normal;
}
