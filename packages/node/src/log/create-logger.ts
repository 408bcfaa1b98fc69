import { pino, type Logger } from 'pino';
import type { NodeConfig } from '../config/node-options.js';
import { prettyLogLine } from './pretty-log-line.js';

/** The logger every component receives (pino's interface). */
export type { Logger } from 'pino';

/** Where log lines go: stdout by default (tests pass a capture). */
export interface LogOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Log lines on `output` (stdout) at the configured level: JSON lines for machines (journald,
 * Docker, a log shipper), or human-readable ones when `format` says `pretty` — or `auto` and the
 * output is a terminal. `NO_COLOR` (https://no-color.org) turns colours off.
 */
export function createLogger(
  level: NodeConfig['logLevel'],
  format: NodeConfig['logFormat'] = 'json',
  output: LogOutput = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Logger {
  const options = { level, base: { name: 'sigmesh' } };
  const pretty = format === 'pretty' || (format === 'auto' && output.isTTY === true);
  if (!pretty) return output === process.stdout ? pino(options) : pino(options, output);
  const color = output.isTTY === true && (env.NO_COLOR ?? '') === '';
  return pino(options, { write: (line: string) => output.write(prettyLogLine(line, color)) });
}
