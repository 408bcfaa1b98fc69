// Short fuzz tier: the STUN/TURN port (see short-run.ts).
import { fuzzTest } from './short-run.js';
import { streamFramerTarget } from '../targets/stream-framer-target.js';
import {
  channelDataTarget,
  stunAttributeTarget,
  stunMessageTarget,
} from '../targets/turn-codec-targets.js';
import { turnCoreTarget } from '../targets/turn-core-target.js';

fuzzTest(stunMessageTarget);
fuzzTest(stunAttributeTarget);
fuzzTest(channelDataTarget);
fuzzTest(streamFramerTarget);
fuzzTest(turnCoreTarget);
