// Short fuzz tier: what a client reads from other members (in rooms and in its inbox).
import { fuzzTest } from './short-run.js';
import { clientSignalsTarget, peerFramesTarget } from '../targets/client-signal-targets.js';
import { payloadCodecTarget } from '../targets/payload-codec-target.js';
import { inboxMessagesTarget, inboxProofAndNotesTarget } from '../targets/inbox-targets.js';

fuzzTest(clientSignalsTarget);
fuzzTest(peerFramesTarget);
fuzzTest(payloadCodecTarget);
fuzzTest(inboxMessagesTarget);
fuzzTest(inboxProofAndNotesTarget);
