import { sigmeshError, type NostrFilter, type SigmeshError } from '@sigmesh/protocol';
import { compileFilter } from './filter-match.js';
import { nostrRefusalText } from './nostr-reasons.js';
import type { NostrSession } from './nostr-session.js';

/**
 * `["REQ", subId, filter…]` (NIP-01): opens or replaces the subscription and answers `EOSE` at
 * once (nothing is stored, so there is no backlog). Over a cap it is refused with `CLOSED`.
 */
export function handleReq(
  session: NostrSession,
  { subId, filters }: { subId: string; filters: readonly NostrFilter[] },
): void {
  const { config, counters } = session.deps;
  counters.add('reqs');
  const refuse = (error: SigmeshError): void => {
    counters.add(`refused_${error.code.toLowerCase()}`);
    session.send(['CLOSED', subId, nostrRefusalText(error)]);
  };
  if (filters.length > config.topicsMaxFiltersPerRequest) {
    session.closeSubscription(subId);
    return refuse(
      sigmeshError(
        'TOPIC_LIMIT_REACHED',
        `at most ${config.topicsMaxFiltersPerRequest} filters per REQ`,
      ),
    );
  }
  if (
    !session.hasSubscription(subId) &&
    session.subscriptionCount >= config.topicsMaxSubscriptionsPerConnection
  )
    return refuse(
      sigmeshError(
        'TOPIC_LIMIT_REACHED',
        `at most ${config.topicsMaxSubscriptionsPerConnection} subscriptions per connection`,
      ),
    );
  const refusal = session.setSubscription(subId, filters.map(compileFilter));
  if (refusal !== undefined) return refuse(refusal);
  session.send(['EOSE', subId]);
}
