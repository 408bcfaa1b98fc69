import { MAX_NAME_LENGTH } from './app-messages.js';

/** Who a contact link (`/app/#contact=KEY&name=NAME`) introduces. */
export interface ContactLink {
  /** The person's lasting key: raw ed25519, base64url (43 characters). */
  readonly key: string;
  /** The name the link suggests (not proven: the fingerprint is what to compare). */
  readonly name: string | undefined;
}

/** A raw 32-byte ed25519 key in base64url without padding is 43 characters of this alphabet. */
const KEY = /^[A-Za-z0-9_-]{43}$/;

/** Whether `text` has the form of a lasting key (raw ed25519, base64url). */
export function isPeerKey(text: string): boolean {
  return KEY.test(text);
}

/** The link that introduces `person`: `base` (the app's URL) + `#contact=KEY&name=NAME`. */
export function contactLinkOf(
  person: { key: string; name?: string | undefined },
  base: string,
): string {
  const params = new URLSearchParams({ contact: person.key });
  const name = cleanName(person.name);
  if (name !== undefined) params.set('name', name);
  return `${base.split('#')[0] ?? base}#${params.toString()}`;
}

/**
 * Reads what a user pasted or the page was opened with: a full link, its hash (`#contact=…`), or
 * a bare key. Undefined when it names no well-formed key.
 */
export function parseContactLink(text: string): ContactLink | undefined {
  const trimmed = text.trim();
  if (isPeerKey(trimmed)) return { key: trimmed, name: undefined };
  const hash = trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#') + 1) : trimmed;
  const params = new URLSearchParams(hash);
  const key = params.get('contact')?.trim();
  if (key === undefined || !isPeerKey(key)) return undefined;
  return { key, name: cleanName(params.get('name') ?? undefined) };
}

/** A display name as the app keeps it: trimmed, at most 40 characters, never empty. */
export function cleanName(name: string | undefined): string | undefined {
  const trimmed = name?.trim().slice(0, MAX_NAME_LENGTH).trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
