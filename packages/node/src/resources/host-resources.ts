/**
 * What the host gives this node: its open-file limit (raised to the hard limit first where that
 * is possible) and its ephemeral port range, turned into the node's caps by `planResources`.
 */
import type { NodeConfig } from '../config/node-options.js';
import { raiseFdLimit, type FdLimitRaise } from './fd-limit.js';
import { readEphemeralPortCount } from './ephemeral-ports.js';
import { planResources, type ResourcePlan } from './resource-plan.js';

/** Host facts a caller may give instead of reading them (tests, embedders with other limits). */
export interface HostLimits {
  /** The soft open-file limit; `undefined`: unknown. */
  readonly fdLimit: number | undefined;
  /** Ports in the ephemeral range; `undefined`: unknown. */
  readonly relayPorts: number | undefined;
}

/** The plan, and how the open-file limit was found. */
export interface HostResources {
  readonly plan: ResourcePlan;
  /** `undefined` when the limits were given, not read. */
  readonly raise: FdLimitRaise | undefined;
}

/** Reads (or takes) the host's limits and sizes every cap of `config`. */
export function hostResources(
  config: Pick<
    NodeConfig,
    | 'maxConnections'
    | 'fdReserve'
    | 'turnMaxAllocations'
    | 'turnMaxTcpConnections'
    | 'meshMaxLinks'
    | 'turnPort'
    | 'turnExternal'
  >,
  given?: HostLimits,
): HostResources {
  const raise = given === undefined ? raiseFdLimit() : undefined;
  const plan = planResources({
    maxConnections: config.maxConnections,
    fdReserve: config.fdReserve,
    turnMaxAllocations: config.turnMaxAllocations,
    turnMaxTcpConnections: config.turnMaxTcpConnections,
    meshMaxLinks: config.meshMaxLinks,
    builtInTurn: config.turnExternal === '' && config.turnPort >= 0,
    fdLimit: given === undefined ? raise?.after?.soft : given.fdLimit,
    relayPorts: given === undefined ? readEphemeralPortCount() : given.relayPorts,
  });
  return { plan, raise };
}
