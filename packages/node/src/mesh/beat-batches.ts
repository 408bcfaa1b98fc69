import { MESH_MAX_OWNERS_PER_FRAME, type Beat } from '@sigmesh/protocol';
import { chainKey, type MeshLink } from './mesh-link.js';

/**
 * Other owners' beats on their way to our links, held for a short window and sent together.
 *
 * Every owner beats once per interval at its own phase, so passing each beat on as it arrives
 * costs one frame per owner reached, per link and interval: frames per link grew with the size
 * of the mesh behind it (the scale bench measured 6,000–10,000 beat frames per node per minute
 * at 25–50 nodes). Held for `holdMs`, a link gets at most one frame of passed-on beats per window,
 * and our own beat takes whatever waits for that link with it. Only the newest beat of an owner
 * is kept (one that is superseded while held adds nothing), so a link's batch is bounded by the
 * owners it follows. A beat adds at most `holdMs` of delay per hop, which is why the window is
 * short (the mesh holds 100 ms, a tenth of the default beat interval): a lease is judged by the
 * gap between beats, which holding does not widen, but after a route loss an owner's next beat
 * must arrive within a grace that leaves a quarter interval for its trip. With 1,000 owners behind
 * a link, that link still carries at most ten frames of their beats a second, not 1,000.
 */
export class BeatBatches {
  readonly #holdMs: number;
  readonly #pending = new Map<MeshLink, Map<string, Beat>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(holdMs: number) {
    this.#holdMs = holdMs;
  }

  /** Queues `beat` for `link`; it leaves within the window (or with our next beat). */
  add(link: MeshLink, beat: Beat): void {
    let beats = this.#pending.get(link);
    if (beats === undefined) this.#pending.set(link, (beats = new Map<string, Beat>()));
    const held = beats.get(beat.owner);
    if (held === undefined || chainKey(held) !== chainKey(beat) || held.i < beat.i)
      beats.set(beat.owner, beat);
    if (this.#holdMs <= 0) this.flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#holdMs);
      this.#timer.unref();
    }
  }

  /** Sends `first` (our own beat, if any) and everything held for `link`, in as few frames as fit. */
  send(link: MeshLink, first?: Beat): void {
    const held = this.#pending.get(link);
    this.#pending.delete(link);
    const beats = first === undefined ? [] : [first];
    for (const beat of held?.values() ?? []) if (stillOwed(link, beat)) beats.push(beat);
    for (let i = 0; i < beats.length; i += MESH_MAX_OWNERS_PER_FRAME)
      link.send({ t: 'beats', beats: beats.slice(i, i + MESH_MAX_OWNERS_PER_FRAME) });
  }

  /** Sends everything held, one batch per link. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const link of [...this.#pending.keys()]) this.send(link);
  }

  /** Drops what is held (the node is stopping). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}

/** Longest hold, and the share of a beat interval the hold may take. */
const MAX_HOLD_MS = 100;
const HOLD_SHARE = 0.1;

/**
 * How long a node with beat interval `beatMs` holds others' beats: a tenth of it, at most 100 ms.
 * Two relay hops then stay within the quarter interval a live owner's beat may take to arrive
 * after a route loss (owner-state.ts, `suspectIndex`).
 */
export function beatHoldMs(beatMs: number): number {
  return Math.min(MAX_HOLD_MS, Math.floor(beatMs * HOLD_SHARE));
}

/**
 * Whether `link` still follows this beat's chain through us: it may have been sent a newer
 * chain's anchor, or a `withdraw` for the owner, or closed, while the beat was held.
 */
function stillOwed(link: MeshLink, beat: Beat): boolean {
  return (
    link.state === 'open' &&
    !link.withdrawn.has(beat.owner) &&
    link.anchorsSent.get(beat.owner) === chainKey(beat)
  );
}
