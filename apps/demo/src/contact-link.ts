import {
  contactLink as clientContactLink,
  parseContactLink as clientParseContactLink,
} from '@sigmesh/client';
import { MAX_NAME_LENGTH } from './app-messages.js';

/** Who a contact link (`/app/#contact=KEY&name=NAME`) introduces, as the app keeps it. */
export interface ContactLink {
  /** The person's lasting key: raw ed25519, base64url (43 characters). */
  readonly key: string;
  /** The name the link suggests (not proven: the fingerprint is what to compare). */
  readonly name: string | undefined;
}

/** A raw 32-byte ed25519 key in base64url without padding is 43 characters of this alphabet. */
const KEY = /^[A-Za-z0-9_-]{43}$/;

/** Whether `text` has the form of a lasting key (for stored lists; the client checks the point). */
export function isPeerKey(text: string): boolean {
  return KEY.test(text);
}

/** The link that introduces `person`: `base` (the app's URL) + `#contact=KEY&name=NAME`. */
export function contactLinkOf(
  person: { key: string; name?: string | undefined },
  base: string,
): string {
  return clientContactLink({ key: person.key, name: cleanName(person.name) ?? '' }, base);
}

/**
 * Reads what a user pasted or the page was opened with: a full link, its hash (`#contact=…`), or
 * a bare key (the client's `parseContactLink`); the name is cut to the app's 40 characters.
 * Undefined when it names no valid key.
 */
export function parseContactLink(text: string): ContactLink | undefined {
  const card = clientParseContactLink(text);
  return card === undefined ? undefined : { key: card.key, name: cleanName(card.name) };
}

/** A display name as the app keeps it: trimmed, at most 40 characters, never empty. */
export function cleanName(name: string | undefined): string | undefined {
  const trimmed = name?.trim().slice(0, MAX_NAME_LENGTH).trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
