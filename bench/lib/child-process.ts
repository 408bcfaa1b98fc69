import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/** A request/answer channel to a benchmark child over Node's IPC. */
export interface BenchChild {
  readonly pid: number;
  /** Sends `message` and resolves with the child's answer to it (matched by `id`). */
  call<T>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Listens to unsolicited messages (progress reports). */
  onEvent(listener: (message: Record<string, unknown>) => void): void;
  /** Kills this child (by its own PID) and waits for it to exit. */
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();

/** Kills every child this process started (by PID), e.g. on Ctrl-C. */
export function stopAllChildren(): void {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
}
process.once('exit', stopAllChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAllChildren();
    process.exit(130);
  });
}

/**
 * `node ARGS` under `sh -c 'ulimit -n <hard>; exec node …'`: the largest file-descriptor limit
 * the machine allows without root; `exec` keeps the PID.
 */
export function spawnNodeWithFdLimit(args: readonly string[], stdio: StdioOptions): ChildProcess {
  return spawn(
    '/bin/sh',
    ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...args],
    { stdio },
  );
}

/**
 * Starts `bench/lib/<file>` in its own Node process (TypeScript through tsx, sources through the
 * `source` export condition). The child runs under `sh -c 'ulimit -n <hard>; exec node …'` so it
 * gets the largest file-descriptor limit the machine allows without root; `exec` keeps the PID.
 */
export async function startChild(
  file: string,
  args: readonly string[] = [],
  nodeFlags: readonly string[] = [],
): Promise<BenchChild> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  // SIGMESH_BENCH_CHILD_FLAGS adds Node flags to every child, e.g. `--cpu-prof --cpu-prof-dir=DIR`.
  const extra = (process.env.SIGMESH_BENCH_CHILD_FLAGS ?? '')
    .split(' ')
    .filter((flag) => flag !== '');
  const flags = [...nodeFlags, ...extra];
  // SIGMESH_BENCH_BUILT=1 runs the packages as built (dist/, what `sigmesh start` runs) instead
  // of their TypeScript sources through tsx (whose transform adds a little work of its own).
  const source = process.env.SIGMESH_BENCH_BUILT === '1' ? [] : ['--conditions=source'];
  const child = spawnNodeWithFdLimit(
    [...flags, ...source, '--import', 'tsx', script, ...args],
    ['ignore', 'inherit', 'inherit', 'ipc'],
  );
  started.add(child);
  const pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  const listeners: ((message: Record<string, unknown>) => void)[] = [];
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    const id = typeof message.replyTo === 'number' ? message.replyTo : undefined;
    const waiter = id === undefined ? undefined : pending.get(id);
    if (waiter !== undefined && id !== undefined) {
      pending.delete(id);
      if (typeof message.error === 'string') waiter.reject(new Error(message.error));
      else waiter.resolve(message);
      return;
    }
    for (const listener of listeners) listener(message);
  });
  child.once('exit', (code, signal) => {
    started.delete(child);
    for (const waiter of pending.values())
      waiter.reject(new Error(`${file} exited (${code ?? signal ?? '?'})`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    const onExit = (): void => reject(new Error(`${file} exited before it was ready`));
    child.once('exit', onExit);
    listeners.push(function ready(message) {
      if (message.type !== 'ready') return;
      child.off('exit', onExit);
      listeners.splice(listeners.indexOf(ready), 1);
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${file} has no PID`);
  return {
    pid,
    call<T>(message: Record<string, unknown>, timeoutMs = 600_000): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${file}: no answer to ${String(message.type)} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ ...message, id });
      });
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The child side: answers each request with `handler`'s result (or its error), tells the
 * parent it is ready, and exits when the parent goes away so no orphan keeps sockets open.
 */
export function serveParent(
  handler: (message: Record<string, unknown>) => Promise<Record<string, unknown>>,
): void {
  const send = process.send?.bind(process);
  if (send === undefined)
    throw new Error('run this file through startChild(): it needs an IPC channel');
  process.on('message', (raw) => {
    const message = raw as Record<string, unknown>;
    // Every child reports its own CPU time, so a benchmark can say which process was busy.
    const answer =
      message.type === 'cpu'
        ? Promise.resolve({ cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() })
        : handler(message);
    answer.then(
      (answer) => send({ ...answer, replyTo: message.id }),
      (error: unknown) =>
        send({
          error: error instanceof Error ? error.message : String(error),
          replyTo: message.id,
        }),
    );
  });
  process.once('disconnect', () => process.exit(0));
  send({ type: 'ready' });
}

/** Sends an unsolicited message to the parent. */
export function tellParent(message: Record<string, unknown>): void {
  process.send?.(message);
}

/**
 * Arms the members' process (members-child.ts) for `target` message events; once armed, gives
 * `reached`: the hrtime (ns) at which its members had them all, or undefined after `timeoutMs`.
 */
export async function membersReach(
  members: BenchChild,
  target: number,
  timeoutMs: number,
): Promise<{ reached: Promise<bigint | undefined> }> {
  await members.call({ type: 'arm', target });
  const reached = new Promise<bigint | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    members.onEvent((message) => {
      if (message.type !== 'reached') return;
      clearTimeout(timer);
      resolve(BigInt(String(message.at)));
    });
  });
  return { reached };
}
