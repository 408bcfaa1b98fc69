import { request } from 'node:http';
import { formatPowToken, decodeChallenge, solve, type PowScope } from '@sigmesh/protocol';
import { nodeCryptoSearch } from '../../src/pow/node-crypto-search.js';

/** A response read whole. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json(): unknown;
}

/**
 * One HTTP request with full control (any header, any body, any local address on 127/8).
 * For SSE requests, resolves on the response head and destroys the stream.
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    localAddress?: string;
  } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        localAddress: options.localAddress,
      },
      (res) => {
        if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          res.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: '',
            json: () => undefined,
          });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as unknown,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Fetches a fresh challenge for `scope` from `GET /` as seen from `localAddress`. */
export async function challengeFor(
  baseUrl: string,
  scope: PowScope,
  localAddress?: string,
): Promise<{ challenge: string; difficulty: number }> {
  const response = await rawRequest(`${baseUrl}/`, {
    headers: { accept: 'application/json' },
    ...(localAddress ? { localAddress } : {}),
  });
  const info = response.json() as { pow: { price: number; challenges: Record<PowScope, string> } };
  return { challenge: info.pow.challenges[scope], difficulty: info.pow.price };
}

/** Solves a challenge for `bound` and returns the token. */
export async function solveToken(challenge: string, bound: Uint8Array): Promise<string> {
  const decoded = decodeChallenge(challenge);
  if (!decoded.ok) throw new Error(decoded.message);
  const counter = await solve(decoded.value.bytes, decoded.value.difficulty, bound, {
    search: nodeCryptoSearch,
  });
  return formatPowToken(challenge, counter);
}
