import type { CliIo } from './cli-io.js';
import { renderCheck, type CheckResult, type DoctorTarget } from './doctor/doctor-check.js';
import {
  checkCors,
  checkNodeInfo,
  checkStatusAndMetrics,
  checkStatusPage,
} from './doctor/http-checks.js';
import { checkRoomStream } from './doctor/sse-check.js';
import { checkTurn } from './doctor/turn-check.js';
import { parseCommandArgs } from './parse-command-args.js';
import { nodeUrlFromArgument } from './room-argument.js';

const USAGE = `Usage: sigmesh doctor NODE_URL [--timeout-ms MS] [--json]

Checks a deployed node from outside, as a browser and another node would reach it: GET / (JSON
and HTML), CORS, a room event stream through any proxy (unbuffered), TURN credentials and a UDP
relay allocation, /status, /metrics and the DHT state. Prints one line per check (✓ passed,
✗ failed, ! worth a look, - skipped) with what to fix; exits 1 when a check failed.
--json prints the results as one JSON array instead.`;

/** `sigmesh doctor NODE_URL`. */
export async function doctorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { 'timeout-ms': 'string', json: 'boolean' });
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const problems = [...args.problems];
  const [nodeArg] = args.positionals;
  const url = nodeArg === undefined ? undefined : nodeUrlFromArgument(nodeArg);
  if (url === undefined || args.positionals.length !== 1)
    problems.push('expected one NODE_URL (http or https)');
  const timeoutMs = Number(args.values['timeout-ms'] ?? 5000);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)
    problems.push('--timeout-ms must be an integer from 100 to 120000');
  if (problems.length > 0 || url === undefined) {
    io.err([...problems, '', USAGE].join('\n'));
    return 2;
  }
  const target: DoctorTarget = { url: url.replace(/\/$/, ''), timeoutMs, signal: io.signal };
  const results: CheckResult[] = [];
  const report = (result: CheckResult): void => {
    results.push(result);
    if (args.values.json !== true) io.out(renderCheck(result));
  };
  if (args.values.json !== true) io.out(`sigmesh doctor ${target.url}`);
  const { result, info } = await checkNodeInfo(target);
  report(result);
  if (info === undefined) {
    for (const title of ['status page, CORS, room stream, TURN, status, metrics, DHT'])
      report({ status: 'skip', title, detail: 'not checked: the node did not answer as a node' });
  } else {
    report(await checkStatusPage(target));
    report(await checkCors(target));
    report(await checkRoomStream(target));
    for (const turn of await checkTurn(target, info)) report(turn);
    for (const status of await checkStatusAndMetrics(target)) report(status);
  }
  const failed = results.filter((entry) => entry.status === 'fail').length;
  if (args.values.json === true) io.out(JSON.stringify(results));
  else
    io.out(
      failed === 0
        ? 'All checks passed.'
        : `${failed} check${failed === 1 ? '' : 's'} failed: fix the ✗ lines above and run sigmesh doctor again.`,
    );
  return failed === 0 ? 0 : 1;
}
