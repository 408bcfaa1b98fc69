import { SigmeshError, formatPowWwwAuthenticate } from '@sigmesh/protocol';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../log/create-logger.js';
import { PowRejection } from '../pow/pow-rejection.js';
import { html, renderPage } from './html-page.js';
import { wantsJson } from './negotiate.js';

/** Fastify's own error codes, mapped onto the catalog. */
const fastifyCodes: Record<string, SigmeshError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  // The router's own refusals (Fastify's frameworkErrors): a bad %-escape, a path parameter over
  // its 100-character limit.
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URL_TOO_LONG',
};

/** Turns anything thrown in a handler into a SigmeshError; unknown failures become INTERNAL_ERROR. */
export function toSigmeshError(error: unknown, log: Logger): SigmeshError {
  if (error instanceof SigmeshError) return error;
  const { code, statusCode, message } = (error ?? {}) as {
    code?: string;
    statusCode?: number;
    message?: string;
  };
  const mapped = code === undefined ? undefined : fastifyCodes[code];
  if (mapped !== undefined) return new SigmeshError(mapped, message);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500)
    return new SigmeshError('BAD_REQUEST', message);
  log.error({ err: error }, 'request failed');
  return new SigmeshError('INTERNAL_ERROR');
}

/**
 * The one place an error becomes a response: status from the catalog, `{ code, message }` as JSON
 * (or an HTML page for browsers on HTML routes), `Retry-After` and `WWW-Authenticate: PoW …` where
 * they apply. Peer-caused errors are logged at debug only.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: SigmeshError,
  log: Logger,
): FastifyReply {
  if (error.status < 500 || error.code !== 'INTERNAL_ERROR')
    log.debug({ code: error.code, url: request.url }, error.message);
  reply.code(error.status).headers(errorHeaders(error));
  if (wantsErrorPage(request)) return reply.type('text/html; charset=utf-8').send(errorPage(error));
  return reply.type('application/json; charset=utf-8').send(error.toBody());
}

/** A browser on an HTML route: it asks for HTML and names no JSON. */
export function wantsErrorPage(request: { readonly headers: IncomingHttpHeaders }): boolean {
  return !wantsJson(request) && /text\/html/.test(request.headers.accept ?? '');
}

/** The HTML page an error is for a browser. */
export function errorPage(error: SigmeshError): string {
  // The page's bytes as they have always been (room-stream-wire.golden.json):
  // prettier-ignore
  return renderPage(
    `${error.status} ${error.code}`,
    html`<p>${error.message}</p>
          <p><a href="/">Node summary</a></p>`,
  );
}

/** The headers every error answer carries: no caching, and `Retry-After`, `WWW-Authenticate: PoW` where they apply. */
export function errorHeaders(error: SigmeshError): Record<string, string> {
  return {
    'cache-control': 'no-store',
    ...(error.retryAfter === undefined ? {} : { 'retry-after': String(error.retryAfter) }),
    ...(error instanceof PowRejection
      ? { 'www-authenticate': formatPowWwwAuthenticate(error.offer) }
      : {}),
  };
}
