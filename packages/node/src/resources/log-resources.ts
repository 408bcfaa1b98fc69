import type { NodeConfig } from '../config/node-options.js';
import type { Logger } from '../log/create-logger.js';
import type { HostResources } from './host-resources.js';

/**
 * One info line with the caps, and a warning per shortfall: the operator learns once, at start,
 * when the host's limits are too low for what the node is configured to hold (issue 11).
 */
export function logResources(log: Logger, host: HostResources, config: NodeConfig): void {
  const { plan, raise } = host;
  if (raise?.outcome === 'raised')
    log.info(
      { before: raise.before?.soft, after: raise.after?.soft },
      'raised the open-file soft limit to the hard limit',
    );
  else if (raise?.outcome === 'failed')
    log.warn(
      { soft: raise.before?.soft, hard: raise.before?.hard, detail: raise.detail },
      'could not raise the open-file soft limit to the hard limit (prlimit)',
    );
  log.info(
    {
      fdLimit: plan.fdLimit ?? 'unknown',
      fdReserve: plan.fdReserve,
      maxConnections: plan.maxConnections,
      maxConnectionsPerAddress: config.trustProxy
        ? 'off (trust proxy)'
        : config.maxConnectionsPerAddress,
      turnMaxAllocations: plan.turnMaxAllocations,
      turnMaxTcpConnections: plan.turnMaxTcpConnections,
    },
    'resource caps',
  );
  for (const shortfall of plan.shortfalls) log.warn({ fdLimit: plan.fdLimit }, shortfall);
}
