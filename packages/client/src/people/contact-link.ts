import { isPeerKey } from './inbox-signing.js';

/** A person as a link carries them: a key and the name they gave. */
export interface ContactCard {
  /** Raw ed25519 public key, base64url (43 characters). */
  readonly key: string;
  /** The name the link gives (at most 64 characters; empty when none). */
  readonly name: string;
}

const MAX_NAME_CHARS = 64;

/** A link to add `card` as a contact: `base` (an app URL) + `#contact=KEY&name=NAME`. */
export function contactLink(card: ContactCard, base: string): string {
  const params = new URLSearchParams({ contact: card.key });
  if (card.name !== '') params.set('name', card.name.slice(0, MAX_NAME_CHARS));
  return `${base.split('#', 1)[0]}#${params.toString()}`;
}

/**
 * The person a contact link (a whole URL, its `#…` part, or a bare key) names; undefined when it
 * names no valid key. The name is trimmed to 64 characters.
 */
export function parseContactLink(text: string): ContactCard | undefined {
  const trimmed = text.trim();
  if (isPeerKey(trimmed)) return { key: trimmed, name: '' };
  const hash = trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#') + 1) : trimmed;
  const params = new URLSearchParams(hash);
  const key = params.get('contact') ?? '';
  if (!isPeerKey(key)) return undefined;
  return { key, name: (params.get('name') ?? '').trim().slice(0, MAX_NAME_CHARS) };
}
