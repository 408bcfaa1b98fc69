// Short fuzz tier: BEP 44 items and node descriptors.
import { fuzzTest } from './short-run.js';
import { dhtItemsTarget, nodeDescriptorTarget } from '../targets/dht-targets.js';

fuzzTest(dhtItemsTarget);
fuzzTest(nodeDescriptorTarget);
