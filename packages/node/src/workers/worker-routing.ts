import type { IncomingHttpHeaders } from 'node:http';
import { powTokenFromAuthorization } from '@sigmesh/protocol';

/** Offset of a challenge's first nonce byte, the one that names the worker that minted it. */
const MINTER_BYTE = 19;
/** A worker's session tokens start `w<index>.` (`.` never occurs in a random base64url session). */
const SESSION_TAG = /^w(\d{1,3})\./;
/** `?worker=N`: an operator's request for one worker (metrics, status). */
const WORKER_QUERY = /[?&]worker=(\d{1,3})(?:&|$)/;

/** The prefix of the session tokens worker `index` gives out. */
export function sessionPrefix(index: number): string {
  return `w${index}.`;
}

/** The worker a session token names, or undefined when it names none. */
export function sessionWorker(session: unknown): number | undefined {
  if (typeof session !== 'string') return undefined;
  const match = SESSION_TAG.exec(session);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The worker that minted the challenge of a PoW token (`<challenge>.<counter>`): its first nonce
 * byte. Read without checking the MAC: it only says where to take the request, and the worker
 * there verifies everything (a forged byte sends a request to a worker that refuses it).
 */
export function tokenMinter(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const bytes = Buffer.from(token.slice(0, dot), 'base64url');
  return bytes.length > MINTER_BYTE ? bytes[MINTER_BYTE] : undefined;
}

/**
 * The worker a request belongs to, from what its head says: the worker a `Sigmesh-Session`
 * names (the member's stream is there), else the one that minted its PoW token (only there can
 * it be spent, once), else `?worker=N`; undefined when the head names none (any worker serves it).
 */
export function requestWorker(headers: IncomingHttpHeaders, url: string): number | undefined {
  const bySession = sessionWorker(headers['sigmesh-session']);
  if (bySession !== undefined) return bySession;
  const token = powTokenFromAuthorization(headers.authorization) ?? queryToken(url);
  const byToken = tokenMinter(token);
  if (byToken !== undefined) return byToken;
  const query = WORKER_QUERY.exec(url);
  return query === null ? undefined : Number(query[1]);
}

/** The `?pow=` token of a URL, if any (only read when the URL holds one). */
function queryToken(url: string): string | undefined {
  if (!url.includes('pow=')) return undefined;
  const value = new URL(url, 'http://x').searchParams.get('pow');
  return value === null || value === '' ? undefined : value;
}
