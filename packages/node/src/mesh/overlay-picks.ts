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
 * are no more than `degree`; else half of them closest by XOR of SHA-256(room, URL), so each room
 * gets its own overlay and both ends of a pair measure the same distance (neighbourhoods overlap,
 * which keeps the overlay connected), and the rest random but stable for this node (keyed by its
 * seed), nodes already linked to us first, which gives the overlay the long links of a random
 * graph: with degree d and n nodes its diameter stays near log(n)/log(d).
 */
export function overlayPicks(choice: OverlayChoice): string[] {
  const all = [...new Set(choice.candidates)].filter((url) => url !== choice.self);
  if (all.length <= choice.degree) return all;
  const place = digest(choice.room, choice.self);
  const distance = new Map(all.map((url) => [url, xor(digest(choice.room, url), place)]));
  const near = [...all]
    .sort((a, b) => Buffer.compare(distance.get(a)!, distance.get(b)!))
    .slice(0, Math.ceil(choice.degree / 2));
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

function digest(...parts: string[]): Buffer {
  return createHash('sha256').update(parts.join('\n')).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
