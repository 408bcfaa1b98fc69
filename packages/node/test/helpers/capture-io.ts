import type { CliIo } from '../../src/cli/cli-io.js';

/** A CliIo that records what a command prints, for running CLI commands in-process. */
export function captureIo(signal: AbortSignal = new AbortController().signal): {
  out: string[];
  err: string[];
  io: CliIo;
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, signal } };
}
