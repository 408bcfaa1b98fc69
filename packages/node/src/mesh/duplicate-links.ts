/**
 * Who opened a link, as both of its ends know it: the id of the node that dialed it and the nonce
 * that node sent in its `hello` (public, fresh per link, the same string at both ends).
 */
export interface LinkOrigin {
  readonly dialer: string;
  readonly nonce: string;
}

/**
 * True when `candidate`, a link that just opened to a node we already have `existing` to, should
 * replace it (else the candidate is closed as a duplicate). Both ends must keep the *same* link
 * whatever order their handshakes completed in, for a duplicate's close is never redialed: if
 * each end closed a different one, the pair would be left with none. So the choice is a total
 * order on what both ends see alike — the link dialed by the lower node id, and between two
 * dialed by the same node (a room's dial and a verification dial in flight together), the one
 * with the lower dialer nonce. Keeping "the first one open" is not that: the two ends can see
 * the same two handshakes complete in opposite orders.
 */
export function replacesLink(candidate: LinkOrigin, existing: LinkOrigin): boolean {
  if (candidate.dialer !== existing.dialer) return candidate.dialer < existing.dialer;
  return candidate.nonce < existing.nonce;
}
