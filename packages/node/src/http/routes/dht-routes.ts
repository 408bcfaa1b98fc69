import {
  parseDhtGetQuery,
  parseDhtPutRequest,
  sigmeshError,
  utf8,
  type DhtGetResult,
  type DhtPutResult,
} from '@sigmesh/protocol';
import type { FastifyInstance } from 'fastify';
import { clientKey } from '../../pow/client-key.js';
import type { NodeContext } from '../../node-context.js';
import { requestPowToken } from '../request-pow-token.js';

/**
 * `GET /dht-get` and `POST /dht-put`: BEP 44 mutable get/put for clients that cannot speak UDP.
 * The node checks PoW first (bound to the query or the exact body), then the item's form and
 * signature, and only then touches the DHT. It never signs for the client.
 */
export function registerDhtRoutes(app: FastifyInstance, ctx: NodeContext): void {
  app.get<{ Querystring: Record<string, unknown> }>('/dht-get', async (request) => {
    const { k, salt } = request.query;
    // The proof binds the exact query it was solved for: "<k>\n<salt>".
    const bound = utf8(
      `${typeof k === 'string' ? k : ''}\n${typeof salt === 'string' ? salt : ''}`,
    );
    ctx.pow.check(requestPowToken(request), 'dht-get', { address: clientKey(request.ip) }, bound);
    const query = parseDhtGetQuery(request.query);
    if (!query.ok) throw sigmeshError(query.code, query.message);
    const result: DhtGetResult = await ctx.discovery.dhtGet(query.value.k, query.value.salt);
    return result;
  });

  // A full item is ~1.6 KB of JSON (996-byte value in base64url, hex key and signature).
  app.post('/dht-put', { bodyLimit: 4096 }, async (request) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    ctx.pow.check(requestPowToken(request), 'dht-put', { address: clientKey(request.ip) }, body);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw sigmeshError('BAD_JSON', 'the body is not valid JSON');
    }
    const item = parseDhtPutRequest(json);
    if (!item.ok) throw sigmeshError(item.code, item.message);
    const result: DhtPutResult = await ctx.discovery.dhtPut(item.value);
    return result;
  });
}
