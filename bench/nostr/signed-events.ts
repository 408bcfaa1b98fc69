import { initNostrWasm } from 'nostr-wasm';
import type { NostrEvent } from '@sigmesh/protocol';

/** Trystero's kind for a topic (sum of char codes mod 10000, plus 20000). */
export function trysteroKind(topic: string): number {
  let sum = 0;
  for (const char of topic) sum += char.charCodeAt(0);
  return (sum % 10_000) + 20_000;
}

/**
 * `count` distinct signed events on `topic` shaped like Trystero's (an announce-sized JSON
 * content unless given, one x tag), each with its own throwaway key as pages have. Signed with nostr-wasm
 * (nostr-tools cannot be loaded under the `source` export condition the children run with).
 */
export async function signedEvents(
  count: number,
  topic: string,
  salt: string,
  content?: string,
): Promise<NostrEvent[]> {
  const wasm = await initNostrWasm();
  const events: NostrEvent[] = [];
  const created = Math.floor(Date.now() / 1000);
  for (let i = 0; i < count; i++) {
    const event = {
      kind: trysteroKind(topic),
      tags: [['x', topic]],
      created_at: created,
      content: content ?? JSON.stringify({ peerId: `${salt}-${i}`.padEnd(20, '0') }),
    } as {
      id: string;
      pubkey: string;
      sig: string;
      kind: number;
      tags: string[][];
      created_at: number;
      content: string;
    };
    wasm.finalizeEvent(event, wasm.generateSecretKey());
    events.push(event);
  }
  return events;
}
