import cluster from 'node:cluster';
import { homedir, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveNodeConfig } from '../config/resolve-config.js';
import { readConfigSources } from '../config/resolve-config.js';
import { renderStartHelp } from '../config/render-help.js';
import type { NodeConfig } from '../config/node-options.js';
import { packageVersion } from '../http/create-app.js';
import { createLogger, type Logger } from '../log/create-logger.js';
import { readEphemeralPortRange } from '../resources/ephemeral-ports.js';
import { createNode, type SigmeshNode } from '../sigmesh-node.js';
import type { CliIo } from './cli-io.js';
import { deploymentWarnings } from './deployment-warnings.js';
import { renderBanner } from './start-banner.js';
import { createWorkerNode, WORKER_INDEX_ENV } from '../workers/worker-node.js';
import { superviseWorkers } from '../workers/worker-supervisor.js';

/**
 * `sigmesh start`: runs a node until SIGINT/SIGTERM. The first signal stops it gracefully —
 * members get `bye` and up to `--drain-ms` to move — and the process exits 0; a second one cuts
 * the drain short. SIGHUP reloads the TLS certificate (and never kills the node, as it would by
 * default).
 */
export async function startCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const sources = readConfigSources(argv, io.env);
  if (sources.help) {
    io.out(renderStartHelp());
    return 0;
  }
  const problems = [...sources.problems];
  if (sources.positionals.length > 0)
    problems.push(`unexpected argument ${JSON.stringify(sources.positionals[0])}`);
  let config: NodeConfig | undefined;
  try {
    config = resolveNodeConfig(sources.options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config !== undefined && config.workers > 1 && config.tlsCert !== '')
    problems.push(
      '--workers needs plain HTTP (a connection moves between workers; terminate TLS in a proxy)',
    );
  if (problems.length > 0 || config === undefined) {
    io.err(
      `sigmesh start: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee sigmesh start --help.`,
    );
    return 2;
  }
  if (config.workers > 1 && cluster.isPrimary) return superviseWorkers(config, io);
  const log = createLogger(config.logLevel, config.logFormat, undefined, io.env);
  const options = { ...sources.options, logger: log };
  const asWorker = config.workers > 1 && io.env[WORKER_INDEX_ENV] !== undefined;
  const node = asWorker ? await createWorkerNode(options, config, io.env) : createNode(options);
  let signals = 0;
  let stop: (signal: string) => void = () => undefined;
  const onInt = (): void => stop('SIGINT');
  const onTerm = (): void => stop('SIGTERM');
  const stopped = new Promise<void>((resolve) => {
    stop = (signal) => {
      signals++;
      if (signals === 1) {
        io.err(
          `sigmesh: ${signal}, stopping (members get up to ${config.drainMs} ms to move; ${signal} again to stop at once)`,
        );
        node.stop({ drainMs: config.drainMs }).then(resolve, resolve);
      } else {
        io.err(`sigmesh: ${signal} again, stopping now`);
        void node.stop({ drainMs: 0 });
      }
    };
  });
  const reload = (): void => reloadOnHangup(node, log);
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', reload);
  const release = (): void => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', reload);
  };
  try {
    await node.start();
  } catch (error) {
    io.err(`sigmesh start: ${(error as Error).message}`);
    await node.stop();
    release();
    return 1;
  }
  if (!asWorker || io.env[WORKER_INDEX_ENV] === '0') announce(node, config, log, io);
  await stopped;
  release();
  // A worker's IPC channel would keep it alive: let it go.
  if (asWorker) process.disconnect?.();
  return 0;
}

/** SIGHUP: what can change without a restart is re-read — today the TLS certificate and key. */
function reloadOnHangup(node: SigmeshNode, log: Logger): void {
  const outcome = node.reloadTls();
  if (!outcome.ok && outcome.problem === 'no TLS')
    log.info('SIGHUP: nothing to reload (no --tls-cert); the node keeps running');
}

/** The banner (stderr) and a warning per likely mistake (the log). */
function announce(node: SigmeshNode, config: NodeConfig, log: Logger, io: CliIo): void {
  const dht = node.dhtStatus();
  const turnPort = node.turnPort();
  io.err(
    renderBanner({
      version: packageVersion(),
      nodeId: node.id(),
      url: node.url(),
      bound: node.address(),
      tls: config.tlsCert !== '',
      turnPort,
      turnExternal: config.turnExternal,
      relayPorts: readEphemeralPortRange(),
      dht: {
        bootstrap: dht.bootstrap,
        bootstrapped: dht.bootstrapped,
        routingTableSize: dht.routingTableSize,
        port: dht.dhtPort,
        randomPort: config.dhtPort === 0,
      },
      identityFile: join(
        config.dataDir === '' ? join(homedir(), '.sigmesh') : config.dataDir,
        // With --workers, worker 0 prints the banner: its identity is its own.
        ...(config.workers > 1 ? ['worker-0'] : []),
        'identity.pem',
      ),
    }),
  );
  const warnings = deploymentWarnings({
    host: config.host,
    publicUrl: config.publicUrl,
    url: node.url(),
    trustProxy: config.trustProxy,
    turnPort,
    turnRelayIp: config.turnRelayIp,
    uid: process.getuid?.(),
    interfaceAddresses: Object.values(networkInterfaces())
      .flatMap((list) => list ?? [])
      .filter((entry) => !entry.internal)
      .map((entry) => entry.address),
  });
  for (const warning of warnings) log.warn({ check: 'deployment' }, warning);
}
