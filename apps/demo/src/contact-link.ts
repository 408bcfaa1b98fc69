import {
  contactLink as clientContactLink,
  parseContactLink as clientParseContactLink,
  type PrivateInboxAddress,
} from '@sigmesh/client';
import { MAX_NAME_LENGTH } from './app-messages.js';

/** Who a contact link (`/app/#contact=KEY&name=NAME&inbox=KEY.SEAL`) introduces, as the app keeps it. */
export interface ContactLink {
  /** The person's lasting key: raw ed25519, base64url (43 characters). */
  readonly key: string;
  /** The name the link suggests (not proven: the fingerprint is what to compare). */
  readonly name: string | undefined;
  /**
   * Where the person listens privately (`&inbox=KEY.SEAL`): calls, pings and requests to them go
   * there, sealed, so the nodes cannot tell who rings whom. Absent in links without one.
   */
  readonly inbox?: PrivateInboxAddress;
}

/** A raw 32-byte ed25519 key in base64url without padding is 43 characters of this alphabet. */
const KEY = /^[A-Za-z0-9_-]{43}$/;

/** Whether `text` has the form of a lasting key (for stored lists; the client checks the point). */
export function isPeerKey(text: string): boolean {
  return KEY.test(text);
}

/**
 * Whether a stored value is a private inbox address as links carry it: `{ key, seal }`, both 32
 * bytes in base64url (43 characters). The client checks the key's point when it rings.
 */
export function parseInboxAddress(value: unknown): PrivateInboxAddress | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, seal } = value as { key?: unknown; seal?: unknown };
  if (typeof key !== 'string' || typeof seal !== 'string') return undefined;
  return isPeerKey(key) && KEY.test(seal) ? { key, seal } : undefined;
}

/**
 * The link that introduces `person`: `base` (the app's URL) + `#contact=KEY&name=NAME`, and
 * `&inbox=KEY.SEAL` with a private inbox (such a link is for contacts only).
 */
export function contactLinkOf(
  person: { key: string; name?: string | undefined; inbox?: PrivateInboxAddress | undefined },
  base: string,
): string {
  const name = cleanName(person.name) ?? '';
  return clientContactLink(
    person.inbox === undefined
      ? { key: person.key, name }
      : { key: person.key, name, inbox: person.inbox },
    base,
  );
}

/**
 * Reads what a user pasted or the page was opened with: a full link, its hash (`#contact=…`), or
 * a bare key (the client's `parseContactLink`); the name is cut to the app's 40 characters.
 * Undefined when it names no valid key.
 */
export function parseContactLink(text: string): ContactLink | undefined {
  const card = clientParseContactLink(text);
  if (card === undefined) return undefined;
  const link = { key: card.key, name: cleanName(card.name) };
  return card.inbox === undefined ? link : { ...link, inbox: card.inbox };
}

/** A display name as the app keeps it: trimmed, at most 40 characters, never empty. */
export function cleanName(name: string | undefined): string | undefined {
  const trimmed = name?.trim().slice(0, MAX_NAME_LENGTH).trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
