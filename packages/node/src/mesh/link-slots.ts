import type { MeshLink } from './mesh-link.js';

/**
 * The admission work asked of a node dialing us, by how full our link slots are: `base` while at
 * most half are taken, then doubling eight times toward full, capped at `max`. Links are long
 * lived, so an honest node pays once; a node cycling links to crowd others out pays every time.
 */
export function admissionPrice(taken: number, slots: number, base: number, max: number): number {
  if (base === 0) return 0;
  const fill = Math.min(1, taken / Math.max(1, slots));
  const doublings = fill <= 0.5 ? 0 : 16 * (fill - 0.5);
  return Math.min(max, Math.ceil(base * 2 ** doublings));
}

/**
 * The link to close so a new one fits, or undefined when every link earns its slot. Strangers
 * (links sharing no room with us) go first, links we did not dial before ours, the longest
 * without a shared room first; static peers and links sharing rooms are never evicted for a
 * newcomer, which shares nothing yet when the choice is made.
 */
export function evictionVictim(
  links: Iterable<MeshLink>,
  isPinned: (link: MeshLink) => boolean,
): MeshLink | undefined {
  let victim: MeshLink | undefined;
  const rank = (link: MeshLink): [number, number] => [link.dialed ? 1 : 0, link.lastShared];
  for (const link of links) {
    if (isPinned(link) || (link.interests?.shared.size ?? 0) > 0) continue;
    if (victim === undefined) {
      victim = link;
      continue;
    }
    const [a, b] = [rank(link), rank(victim)];
    if (a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])) victim = link;
  }
  return victim;
}
