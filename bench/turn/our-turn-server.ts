/**
 * Runs the sigmesh TURN server alone in its own process for the benchmark: loopback peers
 * allowed, bandwidth and request limits lifted (they are what is being measured around).
 *   node --conditions=source --import tsx bench/turn/our-turn-server.ts PORT SECRET
 */
import { createTurnServer } from '../../packages/node/src/turn/turn-server.js';

const port = Number(process.argv[2] ?? 0);
const secret = process.argv[3] ?? 'bench-secret';
const server = createTurnServer({
  host: '127.0.0.1',
  port,
  secrets: [secret],
  allowedPeerCidrs: ['127.0.0.0/8'],
  maxBytesPerSecondPerAllocation: 1_000_000_000,
  maxRequestsPerSecondPerSource: 0,
});
await server.start();
process.stdout.write(`ready ${server.address()?.port}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
