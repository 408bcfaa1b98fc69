import type { ClientId, PeerId, SignalPayload } from '@sigmesh/protocol';

/** Messages from a member that has not said hello yet wait this long, at most this many. */
const UNKNOWN_MEMBER_TTL_MS = 15_000;
const UNKNOWN_MEMBER_MAX = 32;

interface KnownMember {
  readonly client: ClientId;
  readonly node: string;
}

/**
 * Which client each room member proved to be (by a verified hello), the members of each client,
 * and the signals of members not placed yet — kept opened, since a sealed box opens only once.
 * Bounded: at most 32 unplaced members, 32 signals each, for 15 s.
 */
export class MemberDirectory {
  readonly #members = new Map<PeerId, KnownMember>();
  readonly #clients = new Map<ClientId, Set<PeerId>>();
  readonly #unplaced = new Map<PeerId, { since: number; messages: SignalPayload[] }>();

  has(member: PeerId): boolean {
    return this.#members.has(member);
  }

  hasClient(client: ClientId): boolean {
    return this.#clients.has(client);
  }

  clientOf(member: PeerId): ClientId | undefined {
    return this.#members.get(member)?.client;
  }

  /** Each member of `client` with the node it joined through. */
  membersOf(client: ClientId): Array<{ member: PeerId; node: string | undefined }> {
    return [...(this.#clients.get(client) ?? [])].map((member) => ({
      member,
      node: this.#members.get(member)?.node,
    }));
  }

  /**
   * Places a member; returns whether its client is new, and the messages it sent before.
   */
  place(
    member: PeerId,
    client: ClientId,
    node: string,
  ): { newClient: boolean; held: SignalPayload[] } {
    this.#members.set(member, { client, node });
    let members = this.#clients.get(client);
    const newClient = members === undefined;
    if (members === undefined) {
      members = new Set();
      this.#clients.set(client, members);
    }
    members.add(member);
    const held = this.#unplaced.get(member)?.messages ?? [];
    this.#unplaced.delete(member);
    return { newClient, held };
  }

  /** Keeps a signal from an unplaced member; true when it is the first from that member. */
  hold(from: PeerId, signal: SignalPayload, now = Date.now()): boolean {
    for (const [member, held] of this.#unplaced)
      if (now - held.since > UNKNOWN_MEMBER_TTL_MS) this.#unplaced.delete(member);
    let held = this.#unplaced.get(from);
    const first = held === undefined;
    if (held === undefined) {
      if (this.#unplaced.size >= UNKNOWN_MEMBER_MAX) return false;
      held = { since: now, messages: [] };
      this.#unplaced.set(from, held);
    }
    if (held.messages.length < UNKNOWN_MEMBER_MAX) held.messages.push(signal);
    return first;
  }

  /** Removes a member; returns its client when that was the client's last member. */
  remove(member: PeerId): ClientId | undefined {
    this.#unplaced.delete(member);
    const known = this.#members.get(member);
    if (known === undefined) return undefined;
    this.#members.delete(member);
    const members = this.#clients.get(known.client);
    members?.delete(member);
    if (members?.size !== 0) return undefined;
    this.#clients.delete(known.client);
    return known.client;
  }
}
