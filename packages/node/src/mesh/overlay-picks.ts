import { createHash } from 'node:crypto';
import type { RoomHash } from '@sigmesh/protocol';

/** What {@link overlayPicks} chooses from. */
export interface OverlayChoice {
  readonly room: RoomHash;
  /** Our own URL, as other nodes of the room know it. */
  readonly self: string;
  /** This node's secret seed: its random picks are stable for it, and differ between nodes. */
  readonly seed: string;
  /** How many nodes of the room this node links to itself. */
  readonly degree: number;
  /** URLs of the room's other nodes we know (found by discovery, or linked to us). */
  readonly candidates: Iterable<string>;
  /** Candidates linked to us already: a random pick among them costs no new link. */
  readonly linked: ReadonlySet<string>;
}

/**
 * The nodes of a room this node links to (docs/scaling-overlay.md). Every candidate while there
 * are no more than `degree`; else half of them its neighbours on the room's ring of
 * SHA-256(room, URL) places, so each room gets its own overlay, both ends of a pair agree they
 * are neighbours, and the ring keeps the overlay connected; and the rest random but stable for
 * this node (keyed by its seed), nodes already linked to us first, which gives the overlay the
 * long links of a random graph: with degree d and n nodes its diameter stays near log(n)/log(d).
 */
export function overlayPicks(choice: OverlayChoice): string[] {
  const all = [...new Set(choice.candidates)].filter((url) => url !== choice.self);
  if (all.length <= choice.degree) return all;
  const near = ringNeighbours(choice.room, choice.self, all, Math.ceil(choice.degree / 2));
  const chosen = new Set(near);
  const random = new Map(all.map((url) => [url, digest(choice.seed, choice.room, url)]));
  const rest = all
    .filter((url) => !chosen.has(url))
    .sort(
      (a, b) =>
        Number(!choice.linked.has(a)) - Number(!choice.linked.has(b)) ||
        Buffer.compare(random.get(a)!, random.get(b)!),
    );
  return [...near, ...rest.slice(0, choice.degree - near.length)];
}

/**
 * The `count` nodes nearest to us on the room's ring — places SHA-256(room, URL) in order, the
 * largest followed by the smallest — taking the next one clockwise, then the next one
 * counter-clockwise, and so on. Every node picking at least its clockwise neighbour closes the
 * ring, so a room whose nodes all know each other is connected whatever else they pick.
 */
function ringNeighbours(room: RoomHash, self: string, urls: string[], count: number): string[] {
  const place = ringPlace(room, self);
  const span = 1n << 256n;
  const clockwise = new Map(urls.map((url) => [url, (ringPlace(room, url) - place + span) % span]));
  const after = [...urls].sort((a, b) => compare(clockwise.get(a)!, clockwise.get(b)!));
  const picked: string[] = [];
  for (let i = 0; picked.length < count; i++)
    picked.push(i % 2 === 0 ? after[i / 2]! : after[after.length - (i + 1) / 2]!);
  return picked;
}

function ringPlace(room: RoomHash, url: string): bigint {
  return BigInt(`0x${digest(room, url).toString('hex')}`);
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\n')).digest();
}
