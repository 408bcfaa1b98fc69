import type { PeerId } from '@sigmesh/protocol';

/** What a node knows about one member of a swarm's room. */
interface MemberInfo {
  /** The member's tracker peer_id (as on the wire), once known. */
  peer: string | undefined;
  seed: boolean;
  /** Position in the member list (for O(1) removal and random picks). */
  index: number;
}

/**
 * The members of one swarm's room — local tracker peers and members on other nodes — with what
 * is known of each (tracker peer_id, seeding), kept incrementally so an announce costs O(1):
 * - counts by distinct tracker peer_id, so one client announcing through several nodes is one
 *   peer (`complete` = seeders, `incomplete` = the rest; a member not yet identified counts as
 *   one incomplete peer of its own);
 * - uniform random picks among members, for offer targets (bittorrent-tracker picks at random too).
 */
export class SwarmCensus {
  readonly #members = new Map<PeerId, MemberInfo>();
  readonly #list: PeerId[] = [];
  /** Tracker peer_id → how many members carry it, and how many of those seed. */
  readonly #peers = new Map<string, { members: number; seeds: number }>();
  #complete = 0;
  #incomplete = 0;

  get size(): number {
    return this.#list.length;
  }

  /** Seeders and other peers, by distinct tracker peer_id. */
  counts(): { complete: number; incomplete: number } {
    return { complete: this.#complete, incomplete: this.#incomplete };
  }

  has(member: PeerId): boolean {
    return this.#members.has(member);
  }

  /** The tracker peer_id (as on the wire) of a member, when known. */
  peerOf(member: PeerId): string | undefined {
    return this.#members.get(member)?.peer;
  }

  seeds(member: PeerId): boolean {
    return this.#members.get(member)?.seed ?? false;
  }

  /** Adds a member (known or not yet identified); an existing one is updated. */
  set(member: PeerId, peer: string | undefined, seed: boolean): void {
    const info = this.#members.get(member);
    if (info === undefined) {
      this.#members.set(member, { peer, seed, index: this.#list.length });
      this.#list.push(member);
      this.#count(peer, seed, 1);
      return;
    }
    if (info.peer === peer && info.seed === seed) return;
    this.#count(info.peer, info.seed, -1);
    info.peer = peer;
    info.seed = seed;
    this.#count(peer, seed, 1);
  }

  /** Removes a member; false when it was not there. */
  delete(member: PeerId): boolean {
    const info = this.#members.get(member);
    if (info === undefined) return false;
    this.#count(info.peer, info.seed, -1);
    this.#members.delete(member);
    const last = this.#list.pop()!;
    if (last !== member) {
      this.#list[info.index] = last;
      this.#members.get(last)!.index = info.index;
    }
    return true;
  }

  /** Every member id (a copy). */
  members(): PeerId[] {
    return [...this.#list];
  }

  /**
   * Up to `count` distinct members for which `eligible` holds, picked uniformly at random with
   * a bounded number of tries (so a swarm of thousands costs what a swarm of ten does); with few
   * members, every one is considered.
   */
  pick(count: number, eligible: (member: PeerId) => boolean): PeerId[] {
    const n = this.#list.length;
    const picked: PeerId[] = [];
    if (count <= 0 || n === 0) return picked;
    if (n <= count * 4) {
      // Small swarm: a shuffled scan is cheaper than rejection sampling and never misses.
      const order = this.#list.slice();
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const member of order) {
        if (picked.length === count) break;
        if (eligible(member)) picked.push(member);
      }
      return picked;
    }
    const seen = new Set<PeerId>();
    for (let tries = 0; tries < count * 8 && picked.length < count; tries++) {
      const member = this.#list[Math.floor(Math.random() * n)]!;
      if (seen.has(member)) continue;
      seen.add(member);
      if (eligible(member)) picked.push(member);
    }
    return picked;
  }

  /**
   * Up to `count` distinct members for which `tier` gives a number (lower first), picked at random
   * within each tier, and at most `caps[n]` (when given) from tier `n`: a shuffled scan of every
   * member, so only for small swarms (the caller's bound); undefined from `tier` leaves a member
   * out.
   */
  pickByTier(
    count: number,
    tier: (member: PeerId) => number | undefined,
    caps: ReadonlyArray<number | undefined> = [],
  ): PeerId[] {
    const tiers: PeerId[][] = [];
    const order = this.#list.slice();
    for (let i = order.length - 1; i >= 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      const member = order[j]!;
      order[j] = order[i]!;
      const rank = tier(member);
      if (rank === undefined) continue;
      (tiers[rank] ??= []).push(member);
      // The best tier alone fills the pick: no need to rank the rest.
      if (rank === 0 && tiers[0]!.length === count && caps[0] === undefined) return tiers[0]!;
    }
    const picked: PeerId[] = [];
    for (let rank = 0; rank < tiers.length && picked.length < count; rank++) {
      const members = tiers[rank];
      if (members === undefined) continue;
      const take = Math.min(count - picked.length, caps[rank] ?? Infinity, members.length);
      for (let i = 0; i < take; i++) picked.push(members[i]!);
    }
    return picked;
  }

  #count(peer: string | undefined, seed: boolean, delta: 1 | -1): void {
    if (peer === undefined) {
      this.#incomplete += delta;
      return;
    }
    let entry = this.#peers.get(peer);
    if (entry === undefined) {
      entry = { members: 0, seeds: 0 };
      this.#peers.set(peer, entry);
    }
    const wasSeed = entry.seeds > 0;
    const wasThere = entry.members > 0;
    entry.members += delta;
    if (seed) entry.seeds += delta;
    const isSeed = entry.seeds > 0;
    const isThere = entry.members > 0;
    if (wasThere) {
      if (wasSeed) this.#complete--;
      else this.#incomplete--;
    }
    if (isThere) {
      if (isSeed) this.#complete++;
      else this.#incomplete++;
    } else this.#peers.delete(peer);
  }
}
