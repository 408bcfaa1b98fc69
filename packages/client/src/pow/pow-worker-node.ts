// The PoW worker in Node (a worker thread).
import { parentPort } from 'node:worker_threads';
import { createPowJobRunner, type PowJobRequest } from './pow-jobs.js';

const port = parentPort;
if (port === null) throw new Error('pow-worker-node must run in a worker thread');
const runner = createPowJobRunner((result) => port.postMessage(result));
port.on('message', (request: PowJobRequest) => runner.handle(request));
