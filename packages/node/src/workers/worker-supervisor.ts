import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { NodeConfig } from '../config/node-options.js';
import type { CliIo } from '../cli/cli-io.js';
import { parseWorkerMessage, type WorkerMessage } from './worker-messages.js';
import { WORKER_INDEX_ENV, WORKER_PORT_ENV } from './worker-node.js';

/** A crashed worker is replaced after this pause (a crash loop does not spin a core). */
const RESTART_DELAY_MS = 500;

/**
 * The primary of `sigmesh start --workers N`: forks N workers (each re-runs this command with
 * the same flags and env, plus its index), tells them each other's private mesh ports once all
 * listen, and carries connections one worker moves to another. Replaces a worker that dies; exits
 * 1 when more than `--worker-restarts-per-minute` die within a minute. SIGTERM/SIGINT are passed
 * on, so every worker drains its members (`--drain-ms`); resolves with the exit code once all
 * workers have exited.
 */
export function superviseWorkers(config: NodeConfig, io: CliIo): Promise<number> {
  const count = config.workers;
  const workers: (Worker | undefined)[] = new Array<Worker | undefined>(count).fill(undefined);
  const ports: (number | undefined)[] = new Array<number | undefined>(count).fill(undefined);
  /** Workers whose HTTP server takes connections: only those are sent moved ones. */
  const serving = new Set<Worker>();
  const turnSecret = randomBytes(32).toString('base64url');
  const crashes: number[] = [];
  let stopping = false;
  let exitCode = 0;
  let setupSent = false;

  const send = (worker: Worker | undefined, message: WorkerMessage, socket?: Socket): void => {
    if (worker === undefined || !worker.isConnected()) {
      socket?.destroy();
      return;
    }
    if (socket === undefined) worker.send(message);
    // Closed here once sent: the sending worker's server counts the connection until its
    // descriptor here closes (Node's cluster bookkeeping of sockets sent between processes).
    else worker.send(message, socket, { keepOpen: true }, () => socket.destroy());
  };
  const setup = (): WorkerMessage => ({
    t: 'sigmesh:setup',
    ports: ports as number[],
    turnSecret,
  });

  const fork = (index: number): void => {
    const worker = cluster.fork({
      [WORKER_INDEX_ENV]: String(index),
      // A replacement takes its predecessor's private port: the siblings redial it there.
      ...(ports[index] === undefined ? {} : { [WORKER_PORT_ENV]: String(ports[index]) }),
    });
    workers[index] = worker;
    io.err(`sigmesh: worker ${index} started (pid ${worker.process.pid ?? '?'})`);
    worker.on('message', (raw: unknown, handle: unknown) => {
      const message = parseWorkerMessage(raw);
      if (message?.t === 'sigmesh:port') {
        ports[index] = message.port;
        if (setupSent) send(worker, setup());
        else if (ports.every((port) => port !== undefined)) {
          setupSent = true;
          for (const each of workers) send(each, setup());
        }
      } else if (message?.t === 'sigmesh:serving') {
        serving.add(worker);
      } else if (message?.t === 'sigmesh:handoff') {
        const target = workers[message.to];
        // A worker still starting would not hear it: the client's connection is reset instead.
        if (target !== undefined && serving.has(target))
          send(target, message, handle as Socket | undefined);
        else (handle as Socket | undefined)?.destroy();
      }
    });
    worker.on('exit', (code, signal) => {
      if (workers[index] === worker) workers[index] = undefined;
      serving.delete(worker);
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length > 0 && crashes[0]! < now - 60_000) crashes.shift();
      io.err(
        `sigmesh: worker ${index} exited (${signal ?? `code ${code}`}); ${crashes.length} in the last minute`,
      );
      if (crashes.length > config.workerRestartsPerMinute) {
        io.err('sigmesh: workers keep crashing, stopping');
        exitCode = 1;
        stopAll('SIGTERM');
        return;
      }
      setTimeout(() => {
        if (!stopping) fork(index);
      }, RESTART_DELAY_MS).unref();
    });
  };

  const stopAll = (signal: NodeJS.Signals): void => {
    stopping = true;
    for (const worker of workers) if (worker?.isConnected() === true) worker.process.kill(signal);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stopping) io.err(`sigmesh: ${signal}, stopping ${count} workers`);
    // A second signal reaches the workers too: theirs cuts the drain short.
    stopAll(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A worker reloads its certificate on its own SIGHUP; the primary must not die of one.
  const onHangup = (): void => {
    for (const worker of workers) worker?.process.kill('SIGHUP');
  };
  process.on('SIGHUP', onHangup);

  cluster.setupPrimary({ silent: false });
  for (let index = 0; index < count; index++) fork(index);
  return new Promise((resolve) => {
    const check = (): void => {
      if (!stopping || workers.some((worker) => worker !== undefined)) return;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onHangup);
      resolve(exitCode);
    };
    cluster.on('exit', () => setImmediate(check));
  });
}
