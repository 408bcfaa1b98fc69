import { Worker } from 'node:worker_threads';

/** What a flood should send. */
export interface UnpaidFloodOptions {
  readonly port: number;
  /** Source address on 127/8, so the flood has an address of its own. */
  readonly localAddress: string;
  /** Path to GET (no proof-of-work), e.g. `/`. */
  readonly path: string;
  /** Keep-alive connections, one request in flight on each. */
  readonly connections: number;
  /** Requests per second across all connections (the pace is kept per millisecond). */
  readonly ratePerSecond: number;
  /** Stops after this long… */
  readonly durationMs: number;
  /** …or after this many requests, whichever comes first. */
  readonly maxRequests: number;
}

/** What the flood saw. */
export interface UnpaidFloodResult {
  readonly sent: number;
  readonly elapsedMs: number;
  /** Answers by HTTP status. */
  readonly statuses: Readonly<Record<string, number>>;
}

/**
 * The flood runs in a worker thread as plain JavaScript: its own event loop, so a node in the
 * calling thread sees only the cost of answering it, never the cost of sending it. Minimal
 * HTTP/1.1 over raw sockets (Content-Length framing, which every answer here has).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const o = workerData;
const request = Buffer.from('GET ' + o.path + ' HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\naccept: application/json\\r\\n\\r\\n');
const statuses = {};
let sent = 0;
const started = Date.now();
const over = () => Date.now() - started >= o.durationMs || sent >= o.maxRequests;
const pace = () => new Promise((resolve) => {
  const check = () => {
    if (over() || sent < ((Date.now() - started) / 1000) * o.ratePerSecond) resolve();
    else setTimeout(check, 1);
  };
  check();
});
function connection() {
  return new Promise((done) => {
    const socket = net.connect({ host: '127.0.0.1', port: o.port, localAddress: o.localAddress });
    socket.setNoDelay(true);
    let buffer = Buffer.alloc(0);
    const next = async () => {
      await pace();
      if (over()) { socket.destroy(); return; }
      sent++;
      socket.write(request);
    };
    socket.on('connect', next);
    socket.on('data', (chunk) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\\r\\n\\r\\n');
        if (end < 0) return;
        const head = buffer.toString('latin1', 0, end);
        const length = Number((/\\r\\ncontent-length:\\s*(\\d+)/i.exec(head) || [])[1] || 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.subarray(end + 4 + length);
        const status = head.slice(9, 12);
        statuses[status] = (statuses[status] || 0) + 1;
        void next();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done());
  });
}
Promise.all(Array.from({ length: o.connections }, connection)).then(() =>
  parentPort.postMessage({ sent, elapsedMs: Date.now() - started, statuses }),
);
`;

/**
 * Floods `GET path` from `localAddress` in a worker thread; resolves with what it sent and the
 * statuses it got. Bounded in time and count.
 */
export function startUnpaidFlood(options: UnpaidFloodOptions): Promise<UnpaidFloodResult> {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: options });
  return new Promise((resolve, reject) => {
    worker.once('message', (result: UnpaidFloodResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}
