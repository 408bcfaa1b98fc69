/**
 * What a `POST /token` credential is worth, as a multiple of the node's base proof-of-work price
 * (issue 11). A REST credential can hold `allocationsPerCredential` allocations, each kept alive
 * by refreshes until the credential expires and then for one more lifetime; paying the same for
 * that as for one room post made credentials the cheapest way to tie the server up. The price
 * therefore grows with what a credential can hold (allocation-seconds over one allocation-hour),
 * and, like the load factor, doubles steeply once the server is more than half full, so a client
 * filling the last slots pays most for them.
 *
 * pow/ applies it: the price quoted and checked for scope `token` is the client's price times
 * {@link credentialPriceFactor} (see the report of issue 11 for the exact call site).
 */
import { TURN_LIMIT_DEFAULTS } from './turn-options.js';

/**
 * A default credential's quota in allocation-hours (64) costs the base price: a default credential
 * (64 allocations, valid an hour, each outliving it by at most an hour) costs 2. An honest page
 * holds two allocations per peer connection (TURN over UDP and TCP), so a page in a room of 30
 * needs about 60; what protects a crowded server is the fill factor below and the per-address
 * allocation cap, not a high price on an empty server, which every page behind one address would
 * pay at its join.
 */
export const REFERENCE_ALLOCATION_SECONDS = TURN_LIMIT_DEFAULTS.maxAllocationsPerUsername * 3600;
/** Fill (live allocations / capacity) where the price starts doubling. */
export const CREDENTIAL_FILL_KNEE = 0.5;
/** Doublings between the knee and a full server (64× when full). */
export const CREDENTIAL_FILL_DOUBLINGS = 6;

/** What one credential can hold on this server, and how full the server is. */
export interface CredentialHolding {
  /** Allocations one credential may hold at once (the per-username quota). */
  readonly allocationsPerCredential: number;
  /** Seconds a minted credential stays valid. */
  readonly credentialTtlSeconds: number;
  /** Longest allocation lifetime granted: an allocation outlives its credential by at most this. */
  readonly maxLifetimeSeconds: number;
  /** Live allocations now; `undefined` when unknown (an external TURN server). */
  readonly allocations: number | undefined;
  /** Allocation capacity of the server; `undefined` when unknown. */
  readonly maxAllocations: number | undefined;
}

/** The multiple of the base price one credential costs; an integer ≥ 1. */
export function credentialPriceFactor(holding: CredentialHolding): number {
  const allocationSeconds =
    holding.allocationsPerCredential * (holding.credentialTtlSeconds + holding.maxLifetimeSeconds);
  const hold = Math.max(1, allocationSeconds / REFERENCE_ALLOCATION_SECONDS);
  const fill =
    holding.allocations === undefined || holding.maxAllocations === undefined
      ? 0
      : holding.maxAllocations <= 0
        ? 1
        : Math.min(1, holding.allocations / holding.maxAllocations);
  const crowd =
    fill <= CREDENTIAL_FILL_KNEE
      ? 1
      : 2 **
        ((CREDENTIAL_FILL_DOUBLINGS * (fill - CREDENTIAL_FILL_KNEE)) / (1 - CREDENTIAL_FILL_KNEE));
  return Math.ceil(hold * crowd);
}
