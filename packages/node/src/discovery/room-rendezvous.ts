import type { DhtAddress } from './bootstrap-option.js';
import type { DhtClient } from './dht-client.js';
import { roomEpochs, roomKey } from './dht-keys.js';
import type { DiscoveryLimits } from './discovery-limits.js';
import type { DiscoveryLogger } from './discovery-logger.js';

/** A node address found on a room's derived key: the host and announced HTTP port of a node with members in the room. */
export interface RoomPeer extends DhtAddress {
  readonly room: string;
  /** Where to reach it: the verified descriptor's URL when that node is known at this address, else `http://host:port`. */
  readonly url: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** Room announces or lookups made on the DHT: how many ended each way, and the time they took. */
export interface RoomOperationCount {
  readonly ok: number;
  /** Rejected by the DHT client (no node answered, the table was empty…). */
  readonly failed: number;
  /** Their durations summed, ok and failed, in seconds. */
  readonly seconds: number;
}

/** What the rendezvous has asked of the DHT since it was created. */
export interface RoomOperations {
  readonly announce: RoomOperationCount;
  readonly lookup: RoomOperationCount;
}

/** What joining a room did. `limit`: maxRooms are announced already; the room is served locally only. */
export type JoinOutcome = 'joined' | 'already' | 'limit';

export interface RoomRendezvousOptions {
  readonly now: () => number;
  /** A monotonic clock in ms that times DHT operations; `performance.now` by default. */
  readonly elapsed?: () => number;
  readonly log: DiscoveryLogger;
  readonly limits: DiscoveryLimits;
  readonly announcePort: () => number;
  /** Addresses to skip: our own announces, and non-public ones unless allowed. */
  readonly ignore: (address: DhtAddress) => boolean;
  /** The URL to report for an address. Default `http://host:port`. */
  readonly urlOf?: (address: DhtAddress) => string;
  /** Called once for each address newly found for a room (again after it was forgotten). */
  readonly onPeer: (peer: RoomPeer) => void;
}

/** Room rendezvous on derived, rotating BEP 5 keys. */
export interface RoomRendezvous {
  join(room: string): JoinOutcome;
  /** Stops announcing and looking up the room; true when it was joined. */
  leave(room: string): boolean;
  rooms(): string[];
  /** Addresses currently known for a room. */
  peers(room: string): RoomPeer[];
  /** Announces and looks up whatever is due for every room (or everything with `force`). */
  refresh(client: DhtClient, force?: boolean): Promise<void>;
  /**
   * Announces and looks up one room now; with `lookupOnly`, looks it up now and announces only
   * what is due (a follow-up: the join's own announce stands).
   */
  refreshRoom(client: DhtClient, room: string, lookupOnly?: boolean): Promise<void>;
  /** The announces and lookups made so far (a copy): how a slow or failing DHT shows. */
  operations(): RoomOperations;
  clear(): void;
}

interface RoomState {
  /** Epoch → when we last announced it. */
  readonly announced: Map<number, number>;
  lastLookup: number;
  readonly peers: Map<string, RoomPeer>;
  /** The refresh in progress, if any. */
  running: Promise<void> | undefined;
}

/** Creates the rendezvous; the caller drives it with refresh() from its maintenance loop. */
export function createRoomRendezvous(options: RoomRendezvousOptions): RoomRendezvous {
  const { now, log, limits } = options;
  const elapsed = options.elapsed ?? (() => performance.now());
  const rooms = new Map<string, RoomState>();
  const counts = {
    announce: { ok: 0, failed: 0, seconds: 0 },
    lookup: { ok: 0, failed: 0, seconds: 0 },
  };

  /** Runs one DHT operation, counting its outcome and its time; resolves as `operation` does. */
  async function counted<T>(kind: keyof RoomOperations, operation: Promise<T>): Promise<T> {
    const started = elapsed();
    const count = counts[kind];
    try {
      const result = await operation;
      count.ok++;
      return result;
    } catch (error) {
      count.failed++;
      throw error;
    } finally {
      count.seconds += Math.max(0, elapsed() - started) / 1000;
    }
  }

  /** What a refresh does: what is due, everything now, or a lookup now and what else is due. */
  type Refresh = 'due' | 'all' | 'lookup';

  async function refreshOne(
    client: DhtClient,
    room: string,
    state: RoomState,
    mode: Refresh,
  ): Promise<void> {
    const force = mode !== 'due';
    // One refresh per room at a time. A forced one (refresh(), a join) waits for the running one
    // and then runs, so when it resolves our announce has really been made.
    if (state.running && !force) return;
    while (state.running) await state.running;
    const run = refreshNow(client, room, state, mode);
    state.running = run;
    try {
      await run;
    } finally {
      if (state.running === run) state.running = undefined;
    }
  }

  async function refreshNow(
    client: DhtClient,
    room: string,
    state: RoomState,
    mode: Refresh,
  ): Promise<void> {
    const at = now();
    const epochs = roomEpochs(at, limits.roomEpochMs, limits.roomEpochLeadMs);
    for (const epoch of state.announced.keys())
      if (!epochs.announce.includes(epoch)) state.announced.delete(epoch);
    const due = epochs.announce.filter(
      (epoch) =>
        mode === 'all' || at - (state.announced.get(epoch) ?? -Infinity) >= limits.roomAnnounceMs,
    );
    const lookupDue =
      mode !== 'due' || due.length > 0 || at - state.lastLookup >= limits.roomLookupMs;
    // Announces and lookups run side by side, and peers are recorded as they arrive, so a
    // dead node on one path (a full query timeout) does not delay the rendezvous.
    const announces = due.map(async (epoch) => {
      try {
        await counted('announce', client.announce(roomKey(room, epoch), options.announcePort()));
        state.announced.set(epoch, at);
      } catch (error) {
        log.debug({ room, epoch, err: error }, 'discovery: room announce failed');
      }
    });
    const lookups =
      lookupDue && rooms.get(room) === state
        ? epochs.lookup.map(async (epoch) => {
            state.lastLookup = at;
            const found = await counted(
              'lookup',
              client.lookup(roomKey(room, epoch), limits.maxCandidatesPerLookup, (address) => {
                if (rooms.get(room) === state) record(room, state, [address]);
              }),
            ).catch((error: unknown) => {
              log.debug({ room, epoch, err: error }, 'discovery: room lookup failed');
              return [];
            });
            if (rooms.get(room) === state) record(room, state, found);
          })
        : [];
    await Promise.all([...announces, ...lookups]);
    const cutoff = now() - limits.roomPeerTtlMs;
    for (const [key, peer] of state.peers) if (peer.lastSeen < cutoff) state.peers.delete(key);
  }

  function record(room: string, state: RoomState, found: readonly DhtAddress[]): void {
    const at = now();
    for (const address of found) {
      if (options.ignore(address)) continue;
      const key = `${address.host}:${address.port}`;
      const known = state.peers.get(key);
      if (known) {
        state.peers.set(key, { ...known, lastSeen: at });
        continue;
      }
      // Bounded: a room key flooded with fake announces costs at most this many entries.
      if (state.peers.size >= limits.maxCandidatesPerLookup) continue;
      const peer: RoomPeer = {
        room,
        url: options.urlOf?.(address) ?? `http://${address.host}:${address.port}`,
        host: address.host,
        port: address.port,
        firstSeen: at,
        lastSeen: at,
      };
      state.peers.set(key, peer);
      options.onPeer(peer);
    }
  }

  return {
    join(room) {
      if (rooms.has(room)) return 'already';
      if (rooms.size >= limits.maxRooms) return 'limit';
      rooms.set(room, {
        announced: new Map(),
        lastLookup: -Infinity,
        peers: new Map(),
        running: undefined,
      });
      return 'joined';
    },
    leave: (room) => rooms.delete(room),
    rooms: () => [...rooms.keys()],
    peers: (room) => [...(rooms.get(room)?.peers.values() ?? [])],
    async refresh(client, force = false) {
      for (const [room, state] of [...rooms])
        await refreshOne(client, room, state, force ? 'all' : 'due');
    },
    async refreshRoom(client, room, lookupOnly = false) {
      const state = rooms.get(room);
      if (state) await refreshOne(client, room, state, lookupOnly ? 'lookup' : 'all');
    },
    operations: () => ({ announce: { ...counts.announce }, lookup: { ...counts.lookup } }),
    clear: () => rooms.clear(),
  };
}
