import { ConfigError, resolveNodeConfig } from '../config/resolve-config.js';
import { readConfigSources } from '../config/resolve-config.js';
import { renderStartHelp } from '../config/render-help.js';
import { createNode } from '../sigmesh-node.js';
import type { CliIo } from './cli-io.js';

/** `sigmesh start`: runs a node until SIGINT/SIGTERM, then stops it gracefully. */
export async function startCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const sources = readConfigSources(argv, io.env);
  if (sources.help) {
    io.out(renderStartHelp());
    return 0;
  }
  const problems = [...sources.problems];
  if (sources.positionals.length > 0)
    problems.push(`unexpected argument ${JSON.stringify(sources.positionals[0])}`);
  try {
    resolveNodeConfig(sources.options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (problems.length > 0) {
    io.err(
      `sigmesh start: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee sigmesh start --help.`,
    );
    return 2;
  }
  const node = createNode(sources.options);
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      io.err(`sigmesh: ${signal}, stopping`);
      node.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  try {
    await node.start();
  } catch (error) {
    io.err(`sigmesh start: ${(error as Error).message}`);
    await node.stop();
    return 1;
  }
  await stopped;
  return 0;
}
