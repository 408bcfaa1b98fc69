/** What CLI commands may touch, injected so tests can run them in-process. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
  /** Aborts when the user interrupts (SIGINT/SIGTERM). */
  readonly signal: AbortSignal;
}
