/**
 * How many of each scarce thing the node may hold, sized from what the host gives it. Each
 * HTTP connection, TURN allocation (its relay socket) and TURN TCP connection holds one file
 * descriptor and each allocation one ephemeral port, so the caps together must stay below the
 * open-file limit with room left for the node's own descriptors (the reserve: DHT and TURN
 * listening sockets, outgoing mesh links and lookups, files the static routes read, stdio).
 *
 * A cap given as 0 is derived: the reserve is an eighth of the limit (32–256) plus one
 * descriptor per mesh link; what is left after the reserve and the caps given explicitly is
 * shared by the derived caps in proportion to their ceilings ({@link RESOURCE_CEILINGS}, TURN
 * allocations also at most half the ephemeral ports), each getting its full ceiling when there is
 * room for all. A cap given explicitly is used as given; when the caps together need more
 * descriptors or ports than there are, the plan says so in `shortfalls`, which the node logs once
 * at start-up as a warning, as it does when the limit holds the derived caps below their ceilings.
 */

/** The largest derived caps: what the defaults allow on a host with descriptors to spare. */
export const RESOURCE_CEILINGS = {
  maxConnections: 10_000,
  turnMaxAllocations: 1000,
  turnMaxTcpConnections: 1000,
} as const;

/** The caps as configured; 0 means "derive from the host". */
export interface ResourceCaps {
  readonly maxConnections: number;
  readonly fdReserve: number;
  readonly turnMaxAllocations: number;
  readonly turnMaxTcpConnections: number;
}

/** What {@link planResources} reads. */
export interface ResourcePlanInput extends ResourceCaps {
  /** The soft open-file limit; `undefined` when unknown (not Linux). */
  readonly fdLimit: number | undefined;
  /** Ports in the ephemeral range; `undefined` when unknown. */
  readonly relayPorts: number | undefined;
  /** True when the node runs its own TURN server (its allocations and TCP connections count). */
  readonly builtInTurn: boolean;
  /** `--mesh-max-links`: outgoing links hold descriptors outside the HTTP server. */
  readonly meshMaxLinks: number;
}

/** The caps the node runs with. */
export interface ResourcePlan {
  readonly fdLimit: number | undefined;
  readonly fdReserve: number;
  readonly maxConnections: number;
  readonly turnMaxAllocations: number;
  readonly turnMaxTcpConnections: number;
  /** Descriptors the caps can take together, the reserve included. */
  readonly fdNeeded: number;
  /** The open-file limit at which every derived cap reaches its ceiling (explicit caps as given). */
  readonly fdRecommended: number;
  /** Problems to report once at start-up; empty when everything fits. */
  readonly shortfalls: readonly string[];
}

function autoReserve(fdLimit: number | undefined, meshMaxLinks: number): number {
  const base =
    fdLimit === undefined || !Number.isFinite(fdLimit)
      ? 256
      : Math.min(256, Math.max(32, Math.floor(fdLimit / 8)));
  return base + meshMaxLinks;
}

/** Sizes every cap; pure, so the rules above are tested without a host. */
export function planResources(input: ResourcePlanInput): ResourcePlan {
  const limit =
    input.fdLimit === undefined || !Number.isFinite(input.fdLimit) ? undefined : input.fdLimit;
  const fdReserve = input.fdReserve > 0 ? input.fdReserve : autoReserve(limit, input.meshMaxLinks);
  const usable = limit === undefined ? Number.POSITIVE_INFINITY : Math.max(0, limit - fdReserve);
  const portBound =
    input.relayPorts === undefined ? Number.POSITIVE_INFINITY : Math.floor(input.relayPorts / 2);
  const caps = [
    { given: input.maxConnections, ceiling: RESOURCE_CEILINGS.maxConnections, used: true },
    {
      given: input.turnMaxAllocations,
      ceiling: Math.min(RESOURCE_CEILINGS.turnMaxAllocations, portBound),
      used: input.builtInTurn,
    },
    {
      given: input.turnMaxTcpConnections,
      ceiling: RESOURCE_CEILINGS.turnMaxTcpConnections,
      used: input.builtInTurn,
    },
  ];
  const explicit = caps.reduce((sum, cap) => sum + (cap.used ? cap.given : 0), 0);
  const derivedCeilings = caps.reduce(
    (sum, cap) => sum + (cap.used && cap.given === 0 ? cap.ceiling : 0),
    0,
  );
  const scale = Math.min(1, Math.max(0, usable - explicit) / Math.max(1, derivedCeilings));
  const [maxConnections, turnMaxAllocations, turnMaxTcpConnections] = caps.map((cap) =>
    !cap.used ? 0 : cap.given > 0 ? cap.given : Math.max(1, Math.floor(cap.ceiling * scale)),
  ) as [number, number, number];

  const fdNeeded = fdReserve + maxConnections + turnMaxAllocations + turnMaxTcpConnections;
  const fdRecommended =
    fdReserve +
    caps.reduce((sum, cap) => sum + (!cap.used ? 0 : cap.given > 0 ? cap.given : cap.ceiling), 0);
  const shortfalls: string[] = [];
  if (limit !== undefined && fdNeeded > limit) {
    shortfalls.push(
      `the configured caps need ${fdNeeded} file descriptors (reserve ${fdReserve} + ${maxConnections} connections` +
        (input.builtInTurn
          ? ` + ${turnMaxAllocations} TURN allocations + ${turnMaxTcpConnections} TURN TCP connections`
          : '') +
        `) but the open-file limit is ${limit}: raise it (ulimit -n, systemd LimitNOFILE=) to at least ${fdNeeded}, or lower the caps`,
    );
  } else if (limit !== undefined && scale < 1 && derivedCeilings > 0) {
    shortfalls.push(
      `the open-file limit ${limit} is below the ${fdRecommended} the caps need at their ceilings, so this node holds at most ${maxConnections} connections` +
        (input.builtInTurn
          ? `, ${turnMaxAllocations} TURN allocations and ${turnMaxTcpConnections} TURN TCP connections`
          : '') +
        `: raise it (ulimit -n, systemd LimitNOFILE=) to ${fdRecommended} for the full caps`,
    );
  }
  if (input.builtInTurn && input.relayPorts !== undefined && turnMaxAllocations > portBound) {
    shortfalls.push(
      `${turnMaxAllocations} TURN allocations need as many relay ports, more than half of the ${input.relayPorts} ephemeral ports (net.ipv4.ip_local_port_range), which outgoing connections share`,
    );
  }
  return {
    fdLimit: limit,
    fdReserve,
    maxConnections,
    turnMaxAllocations,
    turnMaxTcpConnections,
    fdNeeded,
    fdRecommended,
    shortfalls,
  };
}
