// The PoW worker in browsers (a dedicated Worker). The browser bundle inlines this file.
import { createPowJobRunner, type PowJobRequest } from './pow-jobs.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: PowJobRequest }) => void) | null;
};
const runner = createPowJobRunner((result) => scope.postMessage(result));
scope.onmessage = (event) => runner.handle(event.data);
