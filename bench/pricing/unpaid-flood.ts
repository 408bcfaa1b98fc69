/**
 * The price a quiet client sees while another address floods `GET /` (no proof-of-work), against
 * the price before the flood. The node runs with its default pricing in a child process; the
 * flood runs in a worker thread of this process (127.0.0.2, keep-alive, as fast as it goes), and
 * the quiet client reads its quote at `GET /` from 127.0.0.1 every 250 ms.
 *
 *   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx \
 *     bench/pricing/unpaid-flood.ts --rounds 3 --flood-seconds 10 --label after'
 *
 * Options: --rounds 3, --flood-seconds 10, --connections 16, --label (the results key suffix).
 */
import { request } from 'node:http';
import { startUnpaidFlood } from '../../packages/node/test/helpers/unpaid-flood.js';
import { startChild } from '../lib/child-process.js';
import { argument, median, saveResults } from '../lib/bench-report.js';

const rounds = Number(argument('rounds', '3'));
const floodSeconds = Number(argument('flood-seconds', '10'));
const connections = Number(argument('connections', '16'));
const label = argument('label', 'after');

/** The price `GET /` quotes to 127.0.0.1. */
function quotedPrice(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        localAddress: '127.0.0.1',
        headers: { accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve(
              (JSON.parse(Buffer.concat(chunks).toString()) as { pow: { price: number } }).pow
                .price,
            );
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function sample(port: number, ms: number): Promise<number[]> {
  const prices: number[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    prices.push(await quotedPrice(port));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return prices;
}

const results = [];
for (let round = 0; round < rounds; round++) {
  const child = await startChild('./server-child.ts', [
    'sigmesh',
    JSON.stringify({ node: { dhtBootstrap: 'none', turnPort: -1 } }),
  ]);
  try {
    const { port } = await child.call<{ port: number }>({ type: 'port' });
    const before = await sample(port, 2_000);
    const flood = startUnpaidFlood({
      port,
      localAddress: '127.0.0.2',
      path: '/',
      connections,
      ratePerSecond: 1_000_000,
      durationMs: floodSeconds * 1000,
      maxRequests: 5_000_000,
    });
    const during = await sample(port, floodSeconds * 1000);
    const sent = await flood;
    // The price follows a smoothed load: the second half of the flood is its steady state.
    const steady = during.slice(Math.floor(during.length / 2));
    const base = median(before);
    const row = {
      round,
      basePrice: base,
      medianPriceDuringFlood: median(steady),
      maxPriceDuringFlood: Math.max(...during),
      ratio: median(steady) / base,
      maxRatio: Math.max(...during) / base,
      floodRequestsPerSecond: Math.round((sent.sent * 1000) / sent.elapsedMs),
      floodStatuses: sent.statuses,
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
    results.push(row);
  } finally {
    await child.stop();
  }
}
const summary = {
  method: `node with default pricing in a child process; worker-thread flood of GET / from 127.0.0.2 over ${connections} keep-alive connections for ${floodSeconds} s; quiet client quotes GET / from 127.0.0.1 every 250 ms; ratio = median quote over the flood's second half / median quote before; ${rounds} rounds`,
  medianRatio: median(results.map((row) => row.ratio)),
  maxRatio: Math.max(...results.map((row) => row.maxRatio)),
  rounds: results,
};
process.stdout.write(
  `${JSON.stringify({ medianRatio: summary.medianRatio, maxRatio: summary.maxRatio })}\n`,
);
process.stdout.write(`${saveResults(`unpaidFlood-${label}`, summary, 'pricing')}\n`);
process.exit(0);
