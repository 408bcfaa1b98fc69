import type { IncomingMessage } from 'node:http';

/**
 * A parsed HTTP/1 request as bytes again — its request line, its headers as received, then
 * `body` (whose length replaces any Content-Length or Transfer-Encoding it came with) and `head`
 * (an upgrade's first bytes) — for another process's HTTP parser to read.
 */
export function requestBytes(
  request: IncomingMessage,
  body: Buffer | undefined,
  head: Buffer | undefined,
): Buffer {
  let text = `${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/${request.httpVersion}\r\n`;
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (body !== undefined && (lower === 'content-length' || lower === 'transfer-encoding'))
      continue;
    text += `${name}: ${raw[i + 1]!}\r\n`;
  }
  if (body !== undefined) text += `Content-Length: ${body.length}\r\n`;
  // The parser decoded header bytes as latin1: encoding them so gives the same bytes back.
  const parts: Uint8Array[] = [Buffer.from(`${text}\r\n`, 'latin1')];
  if (body !== undefined) parts.push(body);
  if (head !== undefined && head.length > 0) parts.push(head);
  return Buffer.concat(parts);
}
