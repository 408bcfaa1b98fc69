import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/**
 * A reverse proxy on 127.0.0.1 that makes the classic mistake: it reads each upstream answer
 * whole before passing it on (what nginx's `proxy_buffering` does to small events). Ordinary
 * answers get through; a room's event stream never does. `upstream` is read per request (the
 * node may start after its proxy, to be told the proxy's URL). Closed when the test ends.
 */
export async function startBufferingProxy(t: TestContext, upstream: () => string): Promise<string> {
  const server: Server = createServer((incoming, outgoing) => {
    const target = new URL(upstream());
    const forwarded = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          outgoing.end(Buffer.concat(chunks));
        });
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    outgoing.on('close', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
