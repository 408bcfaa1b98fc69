// Short fuzz tier, integration: frames from a hostile node to a live node on loopback (each input
// is a network round trip, so fewer of them than the unit-tier targets).
import { fuzzTest } from '../short-run.js';
import { meshLinkTarget } from '../../targets/mesh-link-target.js';

fuzzTest(meshLinkTarget, Math.ceil(Number(process.env.SIGMESH_FUZZ_INPUTS ?? 10_000) / 10));
