import { createTestnet } from '../testnet/create-testnet.js';
import type { CliIo } from './cli-io.js';
import { parseCommandArgs } from './parse-command-args.js';

const USAGE = `Usage: sigmesh dev [--nodes N]

Starts a local testnet in this process: a loopback BitTorrent DHT and N sigmesh nodes (default 3)
on 127.0.0.1 that find each other through it. Prints one line per node, "node I URL ID", then runs
until interrupted. Nothing contacts the public DHT.`;

/** `sigmesh dev --nodes N`. */
export async function devCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { nodes: 'string' });
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const count = Number(args.values.nodes ?? '3');
  const problems = [...args.problems];
  if (!Number.isInteger(count) || count < 1 || count > 200)
    problems.push('--nodes must be an integer from 1 to 200');
  if (args.positionals.length > 0)
    problems.push(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  if (problems.length > 0) {
    io.err([...problems, '', USAGE].join('\n'));
    return 2;
  }
  const testnet = await createTestnet({ nodes: count, nodeOptions: { logLevel: 'warn' } });
  testnet.nodes.forEach((node, index) => io.out(`node ${index + 1} ${node.url()} ${node.id()}`));
  io.err(
    `sigmesh dev: ${count} nodes running on a local DHT of ${testnet.dht.nodes.length}; Ctrl-C stops them`,
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await testnet.close();
  return 0;
}
