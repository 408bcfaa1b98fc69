import { NodeMemory } from '../../src/nodes/node-memory.js';
import { NodePool } from '../../src/nodes/node-pool.js';
import type { PowSolver } from '../../src/pow/pow-solver.js';
import { memoryStorage } from './werift-client.js';

/** A NodePool of the one node at `url`, with the client's defaults and nothing remembered. */
export function singleNodePool(url: string, solver: PowSolver): NodePool {
  return new NodePool({
    nodes: [url],
    memory: new NodeMemory(memoryStorage()),
    solver,
    probeTimeoutMs: 3000,
    maxProbes: 8,
    maxPowDifficulty: 1 << 22,
  });
}
