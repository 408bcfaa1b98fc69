import type { IncomingHttpHeaders } from 'node:http';

/**
 * JSON when the request asks for it (an Accept or Content-Type naming JSON), an HTML page
 * otherwise: browsers visiting a node see a page, programs that say what they want get JSON.
 */
export function wantsJson(request: { readonly headers: IncomingHttpHeaders }): boolean {
  const accept = request.headers.accept ?? '';
  const contentType = request.headers['content-type'] ?? '';
  return /\bjson\b/i.test(accept) || /\bjson\b/i.test(contentType);
}
