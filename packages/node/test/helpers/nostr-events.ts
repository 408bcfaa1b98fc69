import { nostrPure } from './nostr-tools.js';
import type { Event } from 'nostr-tools/core';

/** A throwaway key, as Trystero makes one per page load. */
export function newKey(): Uint8Array {
  return nostrPure.generateSecretKey();
}

/** Trystero's kind for a topic: the sum of its char codes mod 10000, plus 20000. */
export function trysteroKind(topic: string): number {
  let sum = 0;
  for (const char of topic) sum += char.charCodeAt(0);
  return (sum % 10_000) + 20_000;
}

/** A signed event on `topic` the way Trystero's Nostr strategy makes them (nostr-tools signs). */
export function topicEvent(
  key: Uint8Array,
  topic: string,
  content: string,
  overrides: { kind?: number; created_at?: number; tags?: string[][] } = {},
): Event {
  return nostrPure.finalizeEvent(
    {
      kind: overrides.kind ?? trysteroKind(topic),
      tags: overrides.tags ?? [['x', topic]],
      created_at: overrides.created_at ?? Math.floor(Date.now() / 1000),
      content,
    },
    key,
  );
}
