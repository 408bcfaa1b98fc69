// Short fuzz tier: a room stream as the client reads it.
import { fuzzTest } from './short-run.js';
import { roomEventsTarget, sseStreamTarget } from '../targets/sse-targets.js';

fuzzTest(sseStreamTarget);
fuzzTest(roomEventsTarget);
