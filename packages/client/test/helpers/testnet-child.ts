// A testnet in its own process (started by testnet-process.ts): the nodes' event-loop load is
// then theirs alone, as in production, and not the test's clients' (werift, the client library).
// Options arrive as JSON in argv; node URLs and every warning the nodes log go to the parent.
import { Writable } from 'node:stream';
import { createTestnet, type NodeOptions } from '@sigmesh/node';
import { pino } from 'pino';

const { nodes, nodeOptions } = JSON.parse(process.argv[2] ?? '{}') as {
  nodes: number;
  nodeOptions: NodeOptions;
};
const send = (message: Record<string, unknown>): void => void process.send?.(message);
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    send({ type: 'warning', text: chunk.toString() });
    done();
  },
});
const testnet = await createTestnet({
  nodes,
  nodeOptions: { ...nodeOptions, logger: pino({ level: 'warn' }, sink) },
});
process.once('disconnect', () => void testnet.close().finally(() => process.exit(0)));
send({ type: 'ready', urls: testnet.nodes.map((node) => node.url()) });
