import { SigmeshError } from '@sigmesh/protocol';
import type { CliIo } from './cli-io.js';
import { openRoomStream } from './node-api-client.js';
import { DEFAULT_APP_ID, nodeUrlFromArgument, roomFromArgument } from './room-argument.js';
import { parseCommandArgs } from './parse-command-args.js';

const USAGE = `Usage: sigmesh listen NODE_URL ROOM [--app APP_ID]

Joins ROOM on the node (paying its proof-of-work) and prints every room event as one JSON line,
{"event":"…","data":{…}}, until interrupted. ROOM is a 40-hex room hash, or a room name derived
under APP_ID (default "${DEFAULT_APP_ID}"). Exits 0 when interrupted, 1 when the stream fails or ends.`;

/** `sigmesh listen NODE_URL ROOM`. */
export async function listenCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { app: 'string' });
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const [nodeArg, roomArg] = args.positionals;
  const base = nodeArg === undefined ? undefined : nodeUrlFromArgument(nodeArg);
  if (
    args.problems.length > 0 ||
    base === undefined ||
    roomArg === undefined ||
    args.positionals.length !== 2
  ) {
    io.err(
      [
        ...args.problems,
        base === undefined ? 'NODE_URL must be an http(s) URL' : 'expected NODE_URL ROOM',
        '',
        USAGE,
      ].join('\n'),
    );
    return 2;
  }
  const room = roomFromArgument(roomArg, args.values.app ?? DEFAULT_APP_ID);
  try {
    for await (const event of openRoomStream(base, room, io.signal)) {
      let data: unknown = event.data;
      try {
        data = JSON.parse(event.data);
      } catch {
        // Not JSON: print the raw text.
      }
      io.out(JSON.stringify({ event: event.event, data }));
    }
    io.err('sigmesh listen: the node closed the stream');
    return 1;
  } catch (error) {
    if (io.signal.aborted) return 0;
    io.err(`sigmesh listen: ${describe(error)}`);
    return 1;
  }
}

export function describe(error: unknown): string {
  return error instanceof SigmeshError
    ? `${error.code}: ${error.message}`
    : (error as Error).message;
}
