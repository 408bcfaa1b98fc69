import {
  parseNodeInfo,
  parseNodeList,
  sigmeshError,
  type NodeInfo,
  type PowOffer,
  type PowScope,
} from '@sigmesh/protocol';
import type { PowSolver } from '../pow/pow-solver.js';
import { asSigmeshError, joinFailure, type NodeFailure } from './join-failure.js';
import { normalizeNodeUrl, type NodeMemory } from './node-memory.js';
import { errorFrom, readJson, request, timeoutSignal } from './node-http.js';

/** A node that answered a probe, with what choosing it would cost. */
export interface ProbedNode {
  readonly url: string;
  readonly info: NodeInfo;
  readonly rttMs: number;
  /**
   * Round trip plus the expected time to pay its PoW at our hash rate, plus the wait it asked
   * for when it refuses us for now (`info.pow.refused`), in ms.
   */
  readonly costMs: number;
}

/**
 * The challenge a probe quoted for `scope`, or undefined when the node refuses this client for
 * now (its `Retry-After` is in `info.pow.refused`): the request then asks for a fresh one.
 */
export function probedOffer(node: ProbedNode, scope: PowScope): PowOffer | undefined {
  const challenge = node.info.pow.challenges?.[scope];
  return challenge === undefined
    ? undefined
    : { challenge, difficulty: node.info.pow.price, scope };
}

/** True when the node takes paid POSTs in the plain form (no CORS preflight; paid-request.ts). */
export function takesPlainPosts(node: ProbedNode): boolean {
  return node.info.features?.includes('plain-post') ?? false;
}

/** True when a room post's proof may bind the room hash, so it can be solved ahead (spare-post-token.ts). */
export function takesRoomBoundPosts(node: ProbedNode): boolean {
  return node.info.features?.includes('room-bound-posts') ?? false;
}

/** True when the node takes a hello in the join and derives member ids from join tokens. */
export function takesJoinHello(node: ProbedNode): boolean {
  return node.info.features?.includes('join-hello') ?? false;
}

export interface NodePoolOptions {
  readonly nodes: readonly string[];
  readonly memory: NodeMemory;
  readonly solver: PowSolver;
  readonly probeTimeoutMs: number;
  readonly maxProbes: number;
  readonly maxPowDifficulty: number;
  readonly now?: () => number;
}

/** How long a node that failed is passed over. */
const AVOID_MS = 60_000;
/** Most nodes learned from other nodes (`/nodes`, `bye`). */
const MAX_LEARNED = 256;
/** Round trips below this count as this: a few ms of loopback or LAN jitter is no reason to move. */
const RTT_FLOOR_MS = 25;
/** Nodes costing at most best × this + {@link EQUIVALENT_SLACK_MS} count as equally good. */
const EQUIVALENT_FACTOR = 2;
const EQUIVALENT_SLACK_MS = 50;
/** A probe made ahead ({@link NodePool.prefetch}) is taken by a quick rank started within this. */
const PREFETCH_FRESH_MS = 5000;

/**
 * The nodes a client knows (configured, remembered, learned from `/nodes`), ranked by PoW price
 * and round-trip time from probes of `/`. Nodes that fail are avoided for a minute.
 */
export class NodePool {
  readonly #options: NodePoolOptions;
  readonly #configured: string[];
  readonly #learned = new Set<string>();
  readonly #avoidUntil = new Map<string, number>();
  readonly #now: () => number;
  #learning: Promise<void> | undefined;
  /** Quick probes started ahead, each taken once by the next quick rank. */
  readonly #prefetched = new Map<
    string,
    { readonly at: number; readonly probe: Promise<ProbedNode> }
  >();

  constructor(options: NodePoolOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#configured = options.nodes.map((text) => {
      const url = normalizeNodeUrl(text);
      if (url === undefined)
        throw sigmeshError(
          'CLIENT_OPTIONS_INVALID',
          `nodes: ${JSON.stringify(text)} is not an http(s) URL`,
        );
      return url;
    });
  }

  /** True while `url` is passed over after a failure. */
  avoided(url: string): boolean {
    return (this.#avoidUntil.get(url) ?? 0) > this.#now();
  }

  /** Passes over `url` for a while (it failed or refused us; a stopping node says how long). */
  avoid(url: string, ms: number = AVOID_MS): void {
    this.#avoidUntil.set(url, this.#now() + ms);
  }

  /** Adds nodes another node pointed us to (a stopping node's `bye`), as if listed at `/nodes`. */
  learn(urls: readonly string[]): void {
    for (const text of urls) {
      const url = normalizeNodeUrl(text);
      if (url !== undefined && this.#learned.size < MAX_LEARNED) this.#learned.add(url);
    }
  }

  /**
   * Starts the quick probes of the configured nodes, and learning the nodes they list, now: a
   * first join's quick {@link rank} takes them (a page probes while it makes its identity key and
   * starts its PoW worker, instead of after).
   */
  prefetch(): void {
    const candidates = this.#candidates(new Set());
    this.#learning ??= this.#learn(candidates);
    for (const url of candidates.filter((url) => this.#configured.includes(url))) {
      const probe = this.#probe(url, undefined, true);
      probe.catch(() => undefined);
      this.#prefetched.set(url, { at: this.#now(), probe });
    }
  }

  /**
   * Probes known nodes (and those they list at `/nodes`), and returns the reachable ones not in
   * `exclude`, cheapest first. Rejects (see joinFailure) with NO_NODE_REACHABLE, JOIN_REFUSED or POW_TOO_EXPENSIVE when none fit.
   */
  async rank(
    exclude: ReadonlySet<string>,
    signal?: AbortSignal,
    quick = false,
  ): Promise<ProbedNode[]> {
    const problems: NodeFailure[] = [];
    const probed = new Map<string, ProbedNode>();
    const probe = async (urls: readonly string[]): Promise<void> => {
      const fresh = urls
        .filter((url) => !probed.has(url) && !exclude.has(url))
        .slice(0, this.#options.maxProbes - probed.size);
      await Promise.all(
        fresh.map(async (url) => {
          try {
            probed.set(
              url,
              await (this.#takePrefetched(url, quick) ?? this.#probe(url, signal, quick)),
            );
            this.#options.memory.remember(url);
          } catch (error) {
            signal?.throwIfAborted();
            this.avoid(url);
            problems.push({ url, error: asSigmeshError(error) });
          }
        }),
      );
    };
    const first = this.#candidates(exclude);
    if (quick) {
      this.#learning ??= this.#learn(first, signal);
      await probe(first.filter((url) => this.#configured.includes(url)));
    } else {
      await Promise.all([probe(first), (this.#learning ??= this.#learn(first, signal))]);
      this.#learning = undefined;
      await probe(this.#candidates(exclude));
    }

    const affordable = [...probed.values()].filter(
      (node) => node.info.pow.price <= this.#options.maxPowDifficulty,
    );
    if (affordable.length === 0) {
      if (probed.size > 0)
        throw sigmeshError(
          'POW_TOO_EXPENSIVE',
          `every reachable node asks more than ${this.#options.maxPowDifficulty} hashes (maxPowDifficulty)`,
        );
      throw joinFailure(problems);
    }
    // Among nodes about as good as the best, the app's configured ones come first.
    const best = Math.min(...affordable.map((node) => node.costMs));
    const rank = (node: ProbedNode): number =>
      (node.costMs <= best * EQUIVALENT_FACTOR + EQUIVALENT_SLACK_MS ? 0 : 2) +
      (this.#configured.includes(node.url) ? 0 : 1);
    return affordable.sort((a, b) => rank(a) - rank(b) || a.costMs - b.costMs);
  }

  /** A fresh probe of `url` made ahead, for a quick rank (a full one also measures `/ip`). */
  #takePrefetched(url: string, quick: boolean): Promise<ProbedNode> | undefined {
    const ahead = this.#prefetched.get(url);
    this.#prefetched.delete(url);
    return quick && ahead !== undefined && this.#now() - ahead.at <= PREFETCH_FRESH_MS
      ? ahead.probe
      : undefined;
  }

  /** Known URLs worth probing, configured first, avoiding recent failures when possible. */
  #candidates(exclude: ReadonlySet<string>): string[] {
    const all = [
      ...new Set([...this.#configured, ...this.#options.memory.list(), ...this.#learned]),
    ].filter((url) => !exclude.has(url));
    const now = this.#now();
    const healthy = all.filter((url) => (this.#avoidUntil.get(url) ?? 0) <= now);
    return healthy.length > 0 ? healthy : all;
  }

  /**
   * `GET /` for the price, then `GET /ip` on the now warm connection: the round trip is the
   * smaller of the two, so a cold connection or a busy page start does not count against a node.
   * A node that refuses the probe itself (UNPAID_RATE_LIMITED: too many requests from our
   * address) is asked again after its Retry-After when that fits in the probe timeout.
   */
  async #probe(url: string, signal?: AbortSignal, quick = false): Promise<ProbedNode> {
    const headers = { accept: 'application/json' };
    const deadline = Date.now() + this.#options.probeTimeoutMs;
    const timeout = timeoutSignal(this.#options.probeTimeoutMs, signal);
    let started = performance.now();
    let response = await request(`${url}/`, { headers, signal: timeout });
    for (;;) {
      if (response.status !== 429) break;
      const refusal = await errorFrom(response);
      const waitMs = (refusal.retryAfter ?? Number.NaN) * 1000;
      if (refusal.code !== 'UNPAID_RATE_LIMITED' || !(Date.now() + waitMs < deadline))
        throw refusal;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      started = performance.now();
      response = await request(`${url}/`, { headers, signal: timeout });
    }
    const info = parseNodeInfo(await readJson(response));
    let rttMs = performance.now() - started;
    if (!info.ok) throw sigmeshError('NODE_UNREACHABLE', `not a sigmesh node: ${info.message}`);
    if (!quick) {
      started = performance.now();
      const second = await request(`${url}/ip`, { headers, signal: timeout }).catch(
        () => undefined,
      );
      await second?.arrayBuffer().catch(() => undefined);
      if (second?.ok === true) rttMs = Math.min(rttMs, performance.now() - started);
    }
    const powMs = (info.value.pow.price / this.#options.solver.hashesPerSecond) * 1000;
    const waitMs = (info.value.pow.refused?.retryAfter ?? 0) * 1000;
    return {
      url,
      info: info.value,
      rttMs,
      costMs: Math.max(rttMs, RTT_FLOOR_MS) + powMs + waitMs,
    };
  }

  /** Adds the nodes the first answering candidates list at `/nodes`. */
  async #learn(urls: readonly string[], signal?: AbortSignal): Promise<void> {
    await Promise.all(
      urls.slice(0, 3).map(async (url) => {
        try {
          const response = await request(`${url}/nodes`, {
            headers: { accept: 'application/json' },
            signal: timeoutSignal(this.#options.probeTimeoutMs, signal),
          });
          const list = parseNodeList(await readJson(response));
          if (!list.ok) return;
          for (const node of list.value.nodes) {
            const normalized = normalizeNodeUrl(node.url);
            if (normalized !== undefined && this.#learned.size < MAX_LEARNED)
              this.#learned.add(normalized);
          }
        } catch {
          // An unreachable node is reported by its probe.
        }
      }),
    );
  }
}
