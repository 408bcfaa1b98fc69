import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One file the static server hands out. */
export interface StaticFile {
  readonly type: string;
  readonly body: string;
}

/** A minimal HTTP server for the benchmark pages and their scripts, on 127.0.0.1. */
export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves `files` by path (query strings ignored) with `cache-control: no-store`, so every
 * page load in every round fetches the same bytes the same way.
 */
export async function startStaticServer(
  files: ReadonlyMap<string, StaticFile>,
): Promise<StaticServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = files.get(path);
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response
      .writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' })
      .end(file.body);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTML page that loads `scripts` in order (classic scripts, as most apps ship). */
export function htmlPage(title: string, scripts: readonly string[]): StaticFile {
  const tags = scripts.map((src) => `<script src="${src}"></script>`).join('\n');
  return {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n${tags}\n</body></html>\n`,
  };
}
