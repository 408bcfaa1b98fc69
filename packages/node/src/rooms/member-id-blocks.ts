import type { PeerId } from '@sigmesh/protocol';

/** Ids per block: a block's bytes are ~9 KB, re-encoded when one of its ids comes or goes. */
const BLOCK_IDS = 256;
/** The separator between pieces of a JSON array's elements. */
export const COMMA = Buffer.from(',');

interface Block {
  readonly ids: PeerId[];
  /** The block's ids as JSON array elements (`"a","b"`), encoded on first use. */
  bytes: Buffer | undefined;
}

/**
 * A room's local member ids in join order, kept as JSON in blocks so the list every `welcome`
 * carries is not encoded anew for each join: a newcomer's list is the cached blocks' bytes, shared
 * by every stream that is sent them, and only a block that changed (or holds the member left out)
 * is encoded again. Filling a room of N then costs O(N) encoding instead of O(N²), and the bytes in
 * flight to N members joining at once are shared instead of N copies of the list.
 */
export class MemberIdBlocks {
  readonly #blocks: Block[] = [];
  readonly #blockOf = new Map<PeerId, Block>();

  get size(): number {
    return this.#blockOf.size;
  }

  add(id: PeerId): void {
    let last = this.#blocks.at(-1);
    if (last === undefined || last.ids.length >= BLOCK_IDS) {
      last = { ids: [], bytes: undefined };
      this.#blocks.push(last);
    }
    last.ids.push(id);
    last.bytes = undefined;
    this.#blockOf.set(id, last);
  }

  delete(id: PeerId): void {
    const block = this.#blockOf.get(id);
    if (block === undefined) return;
    this.#blockOf.delete(id);
    block.ids.splice(block.ids.indexOf(id), 1);
    block.bytes = undefined;
    if (block.ids.length === 0) this.#blocks.splice(this.#blocks.indexOf(block), 1);
  }

  /**
   * The ids other than `except` as JSON array elements, in join order: the pieces' concatenation
   * is `ids.map(JSON.stringify).join(',')`. Cached pieces are shared; callers must not change them.
   */
  encode(except?: PeerId): Buffer[] {
    const skipped = except === undefined ? undefined : this.#blockOf.get(except);
    const pieces: Buffer[] = [];
    for (const block of this.#blocks) {
      const bytes =
        block === skipped
          ? encodeIds(block.ids.filter((id) => id !== except))
          : (block.bytes ??= encodeIds(block.ids));
      if (bytes.length === 0) continue;
      if (pieces.length > 0) pieces.push(COMMA);
      pieces.push(bytes);
    }
    return pieces;
  }
}

/** Ids as JSON array elements. Peer ids are hex, but any string is encoded as JSON would. */
export function encodeIds(ids: readonly string[]): Buffer {
  return Buffer.from(ids.map((id) => JSON.stringify(id)).join(','));
}
