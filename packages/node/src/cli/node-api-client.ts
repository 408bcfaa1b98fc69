import type { SigmeshError } from '@sigmesh/protocol';
import {
  formatPowToken,
  decodeChallenge,
  parseErrorBody,
  parseNodeInfo,
  parsePowWwwAuthenticate,
  sigmeshError,
  solve,
  SseParser,
  utf8,
  type SseEvent,
  type NodeInfo,
  type PowOffer,
  type PowScope,
  type RoomHash,
} from '@sigmesh/protocol';
import { nodeCryptoSearch } from '../pow/node-crypto-search.js';

/** Solves an offer for `bound` with node:crypto; returns the token text. */
export async function payOffer(
  offer: PowOffer,
  bound: Uint8Array,
  signal?: AbortSignal,
): Promise<string> {
  const challenge = decodeChallenge(offer.challenge);
  if (!challenge.ok) throw sigmeshError(challenge.code, challenge.message);
  const counter = await solve(challenge.value.bytes, challenge.value.difficulty, bound, {
    search: nodeCryptoSearch,
    ...(signal === undefined ? {} : { signal }),
  });
  return formatPowToken(offer.challenge, counter);
}

/** `GET /` as JSON, parsed. */
export async function fetchNodeInfo(baseUrl: string, signal?: AbortSignal): Promise<NodeInfo> {
  const response = await request(`${baseUrl}/`, {
    headers: { accept: 'application/json' },
    ...(signal ? { signal } : {}),
  });
  const info = parseNodeInfo(await readJson(response));
  if (!info.ok)
    throw sigmeshError('NODE_UNREACHABLE', `${baseUrl} is not a sigmesh node: ${info.message}`);
  return info.value;
}

/**
 * The challenge `GET /` quoted for `scope`. When the node said it refuses this client for now,
 * its refusal (RATE_LIMITED or NODE_OVERLOADED, with the Retry-After it gave).
 */
export function quotedOffer(info: NodeInfo, scope: PowScope): PowOffer {
  const { refused, challenges } = info.pow;
  if (refused !== undefined || challenges === undefined) {
    const retryAfter = refused?.retryAfter ?? 1;
    throw sigmeshError(
      refused?.code ?? 'NODE_OVERLOADED',
      `the node refuses this client's paid requests for ${retryAfter} s`,
      { retryAfter },
    );
  }
  return { challenge: challenges[scope], difficulty: info.pow.price, scope };
}

/**
 * Opens the room's event stream after paying the join PoW, and yields its events until the
 * stream ends or `signal` aborts. Retries once with the node's fresh challenge after a 401.
 */
export async function* openRoomStream(
  baseUrl: string,
  room: RoomHash,
  signal: AbortSignal,
  query?: JoinQuery,
): AsyncGenerator<SseEvent> {
  const info = await fetchNodeInfo(baseUrl, signal);
  let offer = quotedOffer(info, 'room-join');
  let response: Response | undefined;
  for (let attempt = 0; attempt < POST_ATTEMPTS; attempt++) {
    const token = await payOffer(offer, utf8(room), signal);
    const extra = query === undefined ? '' : await query(token, info.node.id);
    response = await request(`${baseUrl}/room/${room}?pow=${encodeURIComponent(token)}${extra}`, {
      headers: { accept: 'text/event-stream' },
      signal,
    });
    const next =
      response.status === 401
        ? parsePowWwwAuthenticate(response.headers.get('www-authenticate'))
        : undefined;
    if (next === undefined) break;
    await response.body?.cancel();
    offer = next;
  }
  if (response === undefined || !response.ok || response.body === null)
    throw await errorFrom(response);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    yield* parser.feed(decoder.decode(chunk, { stream: true }));
  }
}

/**
 * More of a join's query (`&name=value…`), made once its PoW token is known: e.g. an inbox
 * owner's proof, which signs the token and the node's id.
 */
export type JoinQuery = (token: string, nodeId: string) => string | Promise<string>;

/** Payments of one POST: the offer, then a fresh challenge after each 401 (a price that rose). */
const POST_ATTEMPTS = 4;

/**
 * POSTs a JSON body with PoW, paying `offer` first and, after a 401, the fresh challenge it
 * carries — up to {@link POST_ATTEMPTS} payments in all: on a loaded node the price can rise past
 * the tolerance between quote and payment more than once. Resolves with the parsed JSON answer;
 * rejects with the node's SigmeshError.
 */
export async function postWithPow(
  url: string,
  body: unknown,
  offer: PowOffer,
  headers: Record<string, string> = {},
): Promise<unknown> {
  // fetch sends a string as UTF-8: exactly the bytes the proof is solved over.
  const text = JSON.stringify(body);
  const bytes = utf8(text);
  let current = offer;
  for (let attempt = 0; attempt < POST_ATTEMPTS; attempt++) {
    const token = await payOffer(current, bytes);
    const response = await request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `PoW ${token}`,
      },
      body: text,
    });
    if (response.ok) return readJson(response);
    const next =
      response.status === 401
        ? parsePowWwwAuthenticate(response.headers.get('www-authenticate'))
        : undefined;
    if (next === undefined || attempt === POST_ATTEMPTS - 1) throw await errorFrom(response);
    await response.body?.cancel();
    current = next;
  }
  throw sigmeshError('INTERNAL_ERROR', 'unreachable');
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    try {
      return await fetch(url, init);
    } catch (error) {
      // A pooled keep-alive connection the server had already closed (a restarted node): a GET
      // is safe to send once more on a fresh connection.
      if (init.signal?.aborted || (init.method ?? 'GET') !== 'GET') throw error;
      return await fetch(url, init);
    }
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw sigmeshError('NODE_UNREACHABLE', `cannot reach ${url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

async function readJson(response: Response): Promise<unknown> {
  if (!response.ok) throw await errorFrom(response);
  try {
    return await response.json();
  } catch (error) {
    throw sigmeshError('NODE_UNREACHABLE', `${response.url} did not answer JSON`, { cause: error });
  }
}

async function errorFrom(response: Response | undefined): Promise<SigmeshError> {
  if (response === undefined) return sigmeshError('NODE_UNREACHABLE', 'no response');
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = parseErrorBody(body);
  const retry = Number(response.headers.get('retry-after'));
  const options = Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {};
  if (parsed !== undefined) return sigmeshError(parsed.code, parsed.message, options);
  return sigmeshError(
    'NODE_UNREACHABLE',
    `${response.url} answered HTTP ${response.status}`,
    options,
  );
}
