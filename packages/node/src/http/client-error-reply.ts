/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser rejects before any route runs
 * (malformed request line, bad Content-Length, Content-Length with Transfer-Encoding, headers
 * over 16 KiB, a request head slower than `--headers-timeout-ms`) is answered with a catalog
 * error like everything else, then the socket is closed. A peer's garbage is logged at debug.
 */
import type { Duplex } from 'node:stream';
import { sigmeshError, type SigmeshError } from '@sigmesh/protocol';
import type { Logger } from '../log/create-logger.js';
import { rawErrorResponse } from './raw-error-response.js';

/** The catalog error for a parser error code (`HPE_*` from llhttp, or Node's own). */
export function clientErrorFor(code: string | undefined): SigmeshError {
  if (code === 'HPE_HEADER_OVERFLOW')
    return sigmeshError('HEADERS_TOO_LARGE', 'the request line and headers exceed 16 KiB');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return sigmeshError('REQUEST_TIMEOUT', 'the request head did not arrive in time');
  return sigmeshError(
    'BAD_REQUEST',
    `the request is not valid HTTP/1.1${code === undefined ? '' : ` (${code})`}`,
  );
}

/** Builds the handler; `socket` is the connection the bad request came on. */
export function clientErrorReply(log: Logger): (error: Error, socket: Duplex) => void {
  return (error, socket) => {
    const code = (error as { code?: unknown }).code;
    const text = typeof code === 'string' ? code : undefined;
    // A reset connection has nobody left to answer.
    if (text === 'ECONNRESET' || socket.destroyed) return;
    const reply = clientErrorFor(text);
    log.debug({ code: reply.code, cause: text }, reply.message);
    // Like Node's own handler: never write into a response already under way (a room stream
    // whose socket failed), it would corrupt what the client is reading.
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (socket.writable && inFlight?.headersSent !== true) socket.write(rawErrorResponse(reply));
    socket.destroy();
  };
}
