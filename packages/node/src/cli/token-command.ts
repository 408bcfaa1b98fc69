import { parseTokenResult, sigmeshError } from '@sigmesh/protocol';
import type { CliIo } from './cli-io.js';
import { describe } from './listen-command.js';
import { fetchNodeInfo, postWithPow, quotedOffer } from './node-api-client.js';
import { parseCommandArgs } from './parse-command-args.js';
import { nodeUrlFromArgument } from './room-argument.js';

const USAGE = `Usage: sigmesh token NODE_URL

Pays the node's proof-of-work for TURN credentials and prints them as JSON:
{ "iceServers": [...], "ttl": SECONDS }, ready for new RTCPeerConnection({ iceServers }).`;

/** `sigmesh token NODE_URL`. */
export async function tokenCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, {});
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const [nodeArg] = args.positionals;
  const problems = [...args.problems];
  const base = nodeArg === undefined ? undefined : nodeUrlFromArgument(nodeArg);
  if (base === undefined) problems.push('NODE_URL must be an http(s) URL');
  if (args.positionals.length !== 1) problems.push('expected NODE_URL');
  if (problems.length > 0 || base === undefined) {
    io.err([...problems, '', USAGE].join('\n'));
    return 2;
  }
  try {
    const info = await fetchNodeInfo(base, io.signal);
    const offer = quotedOffer(info, 'token');
    const answer = parseTokenResult(await postWithPow(`${base}/token`, {}, offer));
    if (!answer.ok) throw sigmeshError(answer.code, answer.message);
    io.out(JSON.stringify({ iceServers: answer.value.iceServers, ttl: answer.value.ttl }));
    return 0;
  } catch (error) {
    io.err(`sigmesh token: ${describe(error)}`);
    return 1;
  }
}
