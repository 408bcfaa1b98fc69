import type { NodeConfig } from './node-options.js';
import type { OptionSpec } from './option-spec.js';

/**
 * The TURN options of the `server` group: the built-in STUN/TURN server's port, the peers it may
 * relay to, its REST secret, or an external TURN server to mint credentials for instead, and the
 * proof-free `GET /turn` rate. The caps on what TURN clients may hold are in
 * resource-option-table.ts. Part of the one option table (node-option-table.ts), kept in its own
 * file.
 */
export const turnOptionTable = {
  turnPort: {
    flag: 'turn-port',
    kind: 'integer',
    group: 'server',
    min: -1,
    max: 65535,
    description:
      'STUN/TURN port, UDP and TCP (-1 turns the built-in TURN server off, 0 picks a free port).',
  },
  turnAllowPeer: {
    flag: 'turn-allow-peer',
    kind: 'list',
    group: 'server',
    description:
      'CIDR TURN may relay to although loopback/private/special (repeatable or comma list).',
  },
  turnAllowMeshPeer: {
    flag: 'turn-allow-mesh-peer',
    kind: 'list',
    group: 'server',
    description:
      'CIDR in which linked, DHT-verified nodes become TURN peers although private (LAN meshes; repeatable or comma list).',
  },
  turnSecret: {
    flag: 'turn-secret',
    kind: 'string',
    group: 'server',
    description:
      'TURN REST secret shared with an external TURN server (comma list rotates; default: random).',
  },
  turnExternal: {
    flag: 'turn-external',
    kind: 'string',
    group: 'server',
    description:
      'HOST:PORT of an external TURN server (coturn, use-auth-secret) to mint credentials for; turns the built-in one off.',
  },
  turnRelayIp: {
    flag: 'turn-relay-ip',
    kind: 'string',
    group: 'server',
    description:
      'Public IP the built-in TURN server advertises as relay address (behind 1:1 NAT; default: the address it binds).',
  },
  turnCredentialsPerMinute: {
    flag: 'turn-credentials-per-minute',
    kind: 'integer',
    group: 'server',
    min: 0,
    max: 100_000,
    description:
      'GET /turn (TURN credentials without proof-of-work, for unchanged apps) answers per client address per minute (0: off).',
  },
} as const satisfies Partial<Record<keyof NodeConfig, OptionSpec>>;
