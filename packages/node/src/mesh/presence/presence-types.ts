/** Limits and timings of remote presence (the mesh options, docs/limits.md § Mesh). */
export interface PresenceLimits {
  /** An owner whose beats stop is gone after this long. */
  readonly leaseMs: number;
  /** An invisible owner is forgotten (its rosters freed) after this long. */
  readonly forgetMs: number;
  /** Owners one link may introduce. */
  readonly maxOwnersPerLink: number;
  /** Members the rosters one link introduced may hold in all. */
  readonly maxMembersPerLink: number;
  /** Members one owner may list in one room. */
  readonly maxMembersPerOwner: number;
  /** Remote members of one room, all owners together. */
  readonly maxRemotePerRoom: number;
  /** Remote members of all rooms together. */
  readonly maxRemoteTotal: number;
  /** Messages per second (and burst) from the members of one owner. */
  readonly ownerMessagesPerSecond: number;
  readonly ownerMessageBurst: number;
}

/** What a presence frame did. `violation` is the sender's fault and costs it reputation. */
export type PresenceOutcome =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'want' }
  | { readonly kind: 'violation'; readonly reason: string };

/** Why a message from a remote member is not taken. */
export type MessageRefusal = 'unknown-member' | 'off-route' | 'owner-rate';
