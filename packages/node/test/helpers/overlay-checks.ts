/**
 * Checks on a room's overlay across nodes (room-overlay tests): who links to whom, read from each
 * node's `GET /status`, the hops across that graph, and exactly-once delivery to every member.
 */
import type { PeerId } from '@sigmesh/protocol';
import type { TestMember } from './room-client.js';
import { waitFor } from './wait-for.js';

/** The ids of the nodes linked to the node at `url`, as its status reports them. */
export async function linkedIds(url: string): Promise<string[]> {
  const response = await fetch(`${url}/status`, { headers: { accept: 'application/json' } });
  const status = (await response.json()) as { links: { id: string }[] };
  return status.links.map((link) => link.id);
}

/** Every node's links (by node id), for the nodes at `nodes`. */
export async function linkGraph(
  nodes: readonly { id: string; url: string }[],
): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const node of nodes) graph.set(node.id, await linkedIds(node.url));
  return graph;
}

/**
 * Waits until the nodes' links hold still (the same graph on two reads a second apart) with at
 * most `maxLinks` links in all; resolves with that graph. Presence and messages cross an overlay
 * while it is rebuilt too, but a message sent while a bridge of a sparse overlay moves can miss
 * the nodes behind it, so exactly-once checks start from a settled overlay.
 */
export async function settledGraph(
  nodes: readonly { id: string; url: string }[],
  maxLinks: number,
  ms = 20_000,
): Promise<Map<string, string[]>> {
  let graph = await linkGraph(nodes);
  const same = (a: Map<string, string[]>, b: Map<string, string[]>): boolean =>
    [...a].every(([id, ids]) => [...ids].sort().join() === [...(b.get(id) ?? [])].sort().join());
  await waitFor(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const next = await linkGraph(nodes);
      const settled = same(graph, next) && linkCount(next) <= maxLinks;
      graph = next;
      return settled;
    },
    `the links to settle to at most ${maxLinks}`,
    ms,
  );
  return graph;
}

/** The most hops between two nodes of `graph` (Infinity when one cannot reach another). */
export function hopsAcross(graph: ReadonlyMap<string, readonly string[]>): number {
  let most = 0;
  for (const start of graph.keys()) {
    const depth = new Map([[start, 0]]);
    const queue = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const next of graph.get(queue[i]!) ?? []) {
        if (depth.has(next) || !graph.has(next)) continue;
        depth.set(next, depth.get(queue[i]!)! + 1);
        queue.push(next);
      }
    }
    if (depth.size < graph.size) return Infinity;
    most = Math.max(most, ...depth.values());
  }
  return most;
}

/** Undirected links of `graph` counted once (a link either end reports). */
export function linkCount(graph: ReadonlyMap<string, readonly string[]>): number {
  const pairs = new Set<string>();
  for (const [a, ids] of graph) for (const b of ids) pairs.add(a < b ? `${a} ${b}` : `${b} ${a}`);
  return pairs.size;
}

/** Waits until every member sees exactly the others of `members` in the room. */
export async function viewsConverged(
  members: readonly TestMember[],
  what: string,
  ms = 20_000,
): Promise<void> {
  const matches = (m: TestMember): boolean => {
    const view = m.view();
    return view.size === members.length - 1 && members.every((o) => o === m || view.has(o.peerId));
  };
  await waitFor(() => members.every(matches), what, ms).catch((error: unknown) => {
    const wrong = members.filter((m) => !matches(m)).map((m) => `${m.peerId}: ${m.view().size}`);
    throw new Error(`${(error as Error).message}; views off: ${wrong.join(', ')}`);
  });
}

/**
 * Every member posts `tag`-marked text once; resolves when every other member got each post.
 * Throws when a member got one twice (or its own), or after `ms`.
 */
export async function everyPostReachesEveryoneOnce(
  members: readonly TestMember[],
  tag: string,
  ms = 15_000,
): Promise<void> {
  const text = (m: TestMember): string => `${tag} from ${m.peerId}`;
  for (const member of members) await member.post(text(member));
  const count = (m: TestMember, from: PeerId, data: string): number =>
    m.messages().filter((msg) => msg.from === from && msg.data === data).length;
  const missing = (): string[] =>
    members.flatMap((m) =>
      members
        .filter((o) => o !== m && count(m, o.peerId, text(o)) === 0)
        .map((o) => `${o.peerId}→${m.peerId}`),
    );
  await waitFor(() => missing().length === 0, `every ${tag} post everywhere`, ms).catch(
    (error: unknown) => {
      throw new Error(`${(error as Error).message}; missing ${missing().join(', ')}`);
    },
  );
  for (const m of members) {
    if (count(m, m.peerId, text(m)) !== 0) throw new Error(`${m.peerId} got its own ${tag} post`);
    for (const o of members)
      if (o !== m && count(m, o.peerId, text(o)) !== 1)
        throw new Error(`${m.peerId} got ${o.peerId}'s ${tag} post more than once`);
  }
}
