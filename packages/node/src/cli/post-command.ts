import { isPeerId, parsePostResult, parseWelcomeEvent, sigmeshError } from '@sigmesh/protocol';
import { SESSION_HEADER } from '../http/request-payer.js';
import type { CliIo } from './cli-io.js';
import { describe } from './listen-command.js';
import { openRoomStream, postWithPow } from './node-api-client.js';
import { parseCommandArgs } from './parse-command-args.js';
import { DEFAULT_APP_ID, nodeUrlFromArgument, roomFromArgument } from './room-argument.js';

const USAGE = `Usage: sigmesh post NODE_URL ROOM TEXT [--to PEER_ID] [--json] [--app APP_ID]

Joins ROOM on the node, pays the proof-of-work, posts TEXT (as a JSON string, or parsed as JSON
with --json) to every member or only to PEER_ID, prints the node's answer as JSON and leaves.
Exits 0 only when the node accepted the message.`;

/** `sigmesh post NODE_URL ROOM TEXT [--to PEER]`. */
export async function postCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { to: 'string', json: 'boolean', app: 'string' });
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const [nodeArg, roomArg, text] = args.positionals;
  const problems = [...args.problems];
  const base = nodeArg === undefined ? undefined : nodeUrlFromArgument(nodeArg);
  if (base === undefined) problems.push('NODE_URL must be an http(s) URL');
  if (args.positionals.length !== 3) problems.push('expected NODE_URL ROOM TEXT');
  if (args.values.to !== undefined && !isPeerId(args.values.to))
    problems.push('--to must be a peer id (32 lowercase hex characters)');
  let data: unknown = text;
  if (args.values.json === true && text !== undefined) {
    try {
      data = JSON.parse(text);
    } catch {
      problems.push('TEXT is not valid JSON (--json)');
    }
  }
  if (problems.length > 0 || base === undefined || roomArg === undefined) {
    io.err([...problems, '', USAGE].join('\n'));
    return 2;
  }
  const room = roomFromArgument(roomArg, args.values.app ?? DEFAULT_APP_ID);
  const leave = new AbortController();
  const onInterrupt = (): void => leave.abort();
  io.signal.addEventListener('abort', onInterrupt);
  try {
    const stream = openRoomStream(base, room, leave.signal);
    const first = await stream.next();
    if (first.done === true || first.value.event !== 'welcome')
      throw sigmeshError('NODE_UNREACHABLE', 'the node did not welcome us to the room');
    const welcome = parseWelcomeEvent(JSON.parse(first.value.data));
    if (!welcome.ok) throw sigmeshError(welcome.code, welcome.message);
    const body = args.values.to === undefined ? { data } : { data, to: args.values.to };
    const answer = parsePostResult(
      await postWithPow(`${base}/room/${room}`, body, welcome.value.pow, {
        [SESSION_HEADER]: welcome.value.session,
      }),
    );
    if (!answer.ok) throw sigmeshError(answer.code, answer.message);
    io.out(
      JSON.stringify({
        id: answer.value.id,
        delivered: answer.value.delivered,
        from: welcome.value.peerId,
      }),
    );
    return 0;
  } catch (error) {
    io.err(`sigmesh post: ${describe(error)}`);
    return 1;
  } finally {
    leave.abort();
    io.signal.removeEventListener('abort', onInterrupt);
  }
}
