// Short fuzz tier: what clients send a node over HTTP, and what a node answers them.
import { fuzzTest } from './short-run.js';
import { nodeDocumentsTarget } from '../targets/node-document-targets.js';
import { powHeadersTarget, powTokenTarget } from '../targets/pow-targets.js';
import { roomPostTarget } from '../targets/room-post-target.js';

fuzzTest(roomPostTarget);
fuzzTest(powTokenTarget);
fuzzTest(powHeadersTarget);
fuzzTest(nodeDocumentsTarget);
