// Short fuzz tier: node-to-node frames.
import { fuzzTest } from './short-run.js';
import { meshFrameTarget } from '../targets/mesh-frame-target.js';

fuzzTest(meshFrameTarget);
