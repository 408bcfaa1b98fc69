import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import cors from '@fastify/cors';
import { PLAIN_POST_HEAD_MAX_BYTES, sigmeshError } from '@sigmesh/protocol';
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyServerOptions,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { NodeContext } from '../node-context.js';
import { clientErrorReply } from './client-error-reply.js';
import { sendError, toSigmeshError } from './error-reply.js';
import { registerAppRoute } from './routes/app-route.js';
import { registerDhtRoutes } from './routes/dht-routes.js';
import { registerIpRoute } from './routes/ip-route.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import { registerNodesRoute } from './routes/nodes-route.js';
import { SESSION_HEADER } from './request-payer.js';
import { registerRoomPostRoute } from './routes/room-post-route.js';
import { registerRoomStreamRoute } from './routes/room-stream-route.js';
import { registerRootRoute } from './routes/root-route.js';
import { registerStatusRoute } from './routes/status-route.js';
import { registerStatusScriptRoute } from './routes/status-script-route.js';
import { registerTokenRoute } from './routes/token-route.js';
import { registerTurnCredentialsRoute } from './routes/turn-credentials-route.js';
import { leanRoomPost } from './lean-room-post.js';
import { leanRoomStream } from './lean-room-stream.js';
import { registerUnpaidLimit } from './unpaid-limit.js';

/** Builds the node's Fastify app: CORS open for the public API, raw JSON bodies, one error path. */
export async function createApp(ctx: NodeContext): Promise<FastifyInstance> {
  const { config } = ctx;
  // A connection must deliver its request head in time, or its descriptor goes back (issue 11);
  // Node checks that at connectionsCheckingInterval, so the check runs several times per timeout.
  const timeouts = {
    headersTimeout: config.headersTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.floor(config.headersTimeoutMs / 4)),
  };
  const common = {
    loggerInstance: ctx.log,
    // Per-request lines would drown the log of a busy node; errors are logged by sendError.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: config.maxMessageBytes,
    // Room streams are long-lived: on close, cut them rather than wait for them.
    forceCloseConnections: true,
    // A body trickled in a byte at a time holds a connection too; this bounds the whole request
    // (never the response, so room streams are not affected).
    requestTimeout: config.requestTimeoutMs,
    // What Node's parser and the router refuse before any route runs is a catalog error too.
    clientErrorHandler: clientErrorReply(ctx.log),
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      sendError(request, reply, toSigmeshError(error, ctx.log), ctx.log),
  };
  const serverOptions =
    config.tlsCert === ''
      ? timeouts
      : {
          cert: readFileSync(config.tlsCert),
          key: readFileSync(config.tlsKey),
          ...timeouts,
          // A TLS handshake gets the same time as a request head (Node's default is 120 s).
          handshakeTimeout: config.headersTimeoutMs,
        };
  // The hottest requests skip the framework (lean-room-post.ts, lean-room-stream.ts): posts,
  // and joins, whose streams would hold Fastify's request and reply as long as they are open.
  const lean = leanRoomPost(ctx);
  const leanJoin = leanRoomStream(ctx);
  const serverFactory = (
    handler: (request: IncomingMessage, response: ServerResponse) => void,
    options: FastifyServerOptions,
  ): Server => {
    const listener = (request: IncomingMessage, response: ServerResponse): void => {
      if (ctx.worker?.route(request) === true) return;
      if (!lean(request, response) && !leanJoin(request, response)) handler(request, response);
    };
    const server =
      config.tlsCert === ''
        ? createHttpServer(serverOptions, listener)
        : createHttpsServer(serverOptions, listener);
    // What Fastify sets on a server it makes itself.
    server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
    server.requestTimeout = options.requestTimeout ?? 0;
    server.setTimeout(options.connectionTimeout ?? 0);
    if ((options.maxRequestsPerSocket ?? 0) > 0)
      server.maxRequestsPerSocket = options.maxRequestsPerSocket!;
    return server;
  };
  const app = Fastify({ ...common, serverFactory }) as unknown as FastifyInstance;
  // Requests are not logged (above), so a child logger per request would only cost memory: a
  // room stream holds its request for as long as it is open (≈ 0.3 KB of heap per member).
  app.setChildLoggerFactory((logger) => logger);
  ctx.connections.attach(app.server);

  // Before CORS: preflights are unpaid requests too (the CORS hook answers them itself).
  registerUnpaidLimit(app, ctx);
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type', SESSION_HEADER],
    exposedHeaders: ['www-authenticate', 'retry-after'],
    maxAge: 600,
  });

  // Bodies stay raw bytes: PoW binds to the exact bytes, and is checked before JSON is parsed.
  app.removeAllContentTypeParsers();
  const raw = (_request: FastifyRequest, body: Buffer, done: (e: null, b: Buffer) => void): void =>
    done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw);

  app.setErrorHandler((error, request, reply) =>
    sendError(request, reply, toSigmeshError(error, ctx.log), ctx.log),
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      sigmeshError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
      ctx.log,
    ),
  );

  registerRootRoute(app, ctx);
  registerStatusRoute(app, ctx);
  registerStatusScriptRoute(app);
  if (config.metrics) registerMetricsRoute(app, ctx);
  registerIpRoute(app);
  registerNodesRoute(app, ctx);
  registerDhtRoutes(app, ctx);
  registerRoomStreamRoute(app, ctx);
  // The paid POSTs also take the plain form (paid-post.ts), a text/plain body whose head holds
  // the token and session: in a scope of their own, so no other route takes text/plain.
  await app.register(async (paid) => {
    paid.addContentTypeParser(
      'text/plain',
      { parseAs: 'buffer', bodyLimit: config.maxMessageBytes + PLAIN_POST_HEAD_MAX_BYTES },
      raw,
    );
    registerRoomPostRoute(paid, ctx);
    registerTokenRoute(paid, ctx);
  });
  registerTurnCredentialsRoute(app, ctx);
  for (const dialect of ctx.dialects) dialect.registerRoutes?.(app);
  await registerAppRoute(app, ctx.log);
  return app;
}

/** The version in this package's package.json (one level above both src/ and dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
