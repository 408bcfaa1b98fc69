// Short fuzz tier: what a client reads from other members.
import { fuzzTest } from './short-run.js';
import { clientSignalsTarget, peerFramesTarget } from '../targets/client-signal-targets.js';
import { payloadCodecTarget } from '../targets/payload-codec-target.js';

fuzzTest(clientSignalsTarget);
fuzzTest(peerFramesTarget);
fuzzTest(payloadCodecTarget);
