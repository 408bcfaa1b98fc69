/**
 * An error as a complete HTTP/1.1 response in bytes, for sockets that no route will ever answer:
 * connections refused at accept (connection-guard.ts) and requests Node's parser rejected
 * (client-error-reply.ts). Same `{ code, message }` body and headers as `sendError`, plus
 * `Connection: close` because the socket is closed right after.
 */
import { STATUS_CODES } from 'node:http';
import type { SigmeshError } from '@sigmesh/protocol';

/** The response bytes for `error`. */
export function rawErrorResponse(error: SigmeshError): Buffer {
  const body = JSON.stringify(error.toBody());
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'cache-control: no-store',
    // Cross-origin pages must be able to read why they were refused (CORS is open on the API).
    'access-control-allow-origin: *',
    'access-control-expose-headers: retry-after',
    ...(error.retryAfter === undefined ? [] : [`retry-after: ${error.retryAfter}`]),
    'connection: close',
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'utf8');
}
