/** `count` rooms of `size` members each. */
export interface RoomGroup {
  readonly count: number;
  readonly size: number;
}

/**
 * Parses a room layout such as `1x1000,20x100,500x14` (one room of 1,000 members, twenty of 100,
 * five hundred of 14). Throws on anything else.
 */
export function parseRoomLayout(text: string): RoomGroup[] {
  const groups = text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(part);
    if (match === null) throw new Error(`room layout "${part}" is not COUNTxSIZE`);
    const group = { count: Number(match[1]), size: Number(match[2]) };
    if (group.count < 1 || group.size < 2)
      throw new Error(`room layout "${part}": at least one room of at least 2 members`);
    return group;
  });
  if (groups.length === 0) throw new Error('empty room layout');
  return groups;
}

/** Members in a layout. */
export function layoutMembers(groups: readonly RoomGroup[]): number {
  return groups.reduce((sum, group) => sum + group.count * group.size, 0);
}

/** One member to open: which room (index into the plan's rooms), on which node, held by which load generator. */
export interface PlannedMember {
  readonly room: number;
  readonly node: number;
  readonly generator: number;
}

/** Rooms (their sizes) and every member's place. */
export interface SoakPlan {
  readonly roomSizes: readonly number[];
  /** Members per generator, in the order that generator opens them. */
  readonly byGenerator: readonly (readonly PlannedMember[])[];
}

/**
 * Places members: member i of room r on node (r + i) mod nodes, so every room of at least
 * `nodes` members spans every node (its messages and presence cross the mesh) and nodes hold
 * equal shares; members are dealt to load generators in turn, so each generator holds members of
 * almost every room on every node. Each generator opens its members in a shuffled order, so the
 * rooms fill side by side as they would in service (seeded: a run can be repeated).
 */
export function planSoak(
  groups: readonly RoomGroup[],
  options: { nodes: number; generators: number; seed: number },
): SoakPlan {
  const roomSizes = groups.flatMap((group) =>
    Array.from({ length: group.count }, () => group.size),
  );
  const byGenerator: PlannedMember[][] = Array.from({ length: options.generators }, () => []);
  let dealt = 0;
  roomSizes.forEach((size, room) => {
    for (let i = 0; i < size; i++) {
      const generator = dealt++ % options.generators;
      byGenerator[generator]!.push({ room, node: (room + i) % options.nodes, generator });
    }
  });
  const random = seededRandom(options.seed);
  for (const list of byGenerator) shuffle(list, random);
  return { roomSizes, byGenerator };
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates in place. */
export function shuffle<T>(list: T[], random: () => number): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}
