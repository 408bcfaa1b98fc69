import { devCommand } from './dev-command.js';
import { doctorCommand } from './doctor-command.js';
import { listenCommand } from './listen-command.js';
import { postCommand } from './post-command.js';
import { startCommand } from './start-command.js';
import { tokenCommand } from './token-command.js';
import type { CliIo } from './cli-io.js';

const commands = {
  start: startCommand,
  listen: listenCommand,
  post: postCommand,
  dev: devCommand,
  token: tokenCommand,
  doctor: doctorCommand,
} satisfies Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>;

const USAGE = `Usage: sigmesh COMMAND [options]

Commands:
  start                          run a node (sigmesh start --help lists every option)
  listen NODE_URL ROOM           print a room's events as JSON lines until interrupted
  post NODE_URL ROOM TEXT        post one message to a room (--to PEER_ID for one peer)
  dev [--nodes N]                run a local testnet: a loopback DHT and N nodes (default 3)
  token NODE_URL                 pay the PoW for TURN credentials; print the ICE servers as JSON
  doctor NODE_URL                check a deployed node from outside (HTTP, CORS, SSE, TURN, DHT)

Run sigmesh COMMAND --help for a command's options.`;

/** Runs the sigmesh CLI; resolves with the process exit code. */
export async function runCli(argv: readonly string[], io?: Partial<CliIo>): Promise<number> {
  const controller = new AbortController();
  const full: CliIo = {
    env: io?.env ?? process.env,
    out: io?.out ?? ((line) => process.stdout.write(`${line}\n`)),
    err: io?.err ?? ((line) => process.stderr.write(`${line}\n`)),
    signal: io?.signal ?? controller.signal,
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    full.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    const { packageVersion } = await import('../http/create-app.js');
    full.out(packageVersion());
    return 0;
  }
  if (!Object.hasOwn(commands, name)) {
    full.err(`sigmesh: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  // Client commands stop on Ctrl-C; `start` installs its own graceful handlers.
  if (io?.signal === undefined && name !== 'start') {
    const interrupt = (): void => controller.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
  }
  return commands[name as keyof typeof commands](rest, full);
}
