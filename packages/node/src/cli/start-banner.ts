/** What the banner shows, gathered by `sigmesh start` from the node once it listens. */
export interface BannerFacts {
  readonly version: string;
  readonly nodeId: string;
  readonly url: string;
  readonly bound: { readonly host: string; readonly port: number };
  readonly tls: boolean;
  /** Built-in STUN/TURN port, undefined when off; `turnExternal` when an external server is used. */
  readonly turnPort: number | undefined;
  readonly turnExternal: string;
  readonly relayPorts: { readonly low: number; readonly high: number } | undefined;
  readonly dht: {
    readonly bootstrap: string;
    readonly bootstrapped: boolean;
    readonly routingTableSize: number;
    readonly port: number | null;
    /** True when the port was picked at random (`--dht-port 0`). */
    readonly randomPort: boolean;
  };
  /** Where the identity key lives. */
  readonly identityFile: string;
}

/**
 * The lines `sigmesh start` prints (on stderr, so stdout stays one JSON log line per line) once
 * the node listens: where it is reached, which ports a firewall must open, the DHT and identity.
 */
export function renderBanner(facts: BannerFacts): string {
  const { dht } = facts;
  const ports = [`TCP ${facts.bound.port} (${facts.tls ? 'HTTPS' : 'HTTP'})`];
  if (facts.turnPort !== undefined) {
    ports.push(`UDP+TCP ${facts.turnPort} (STUN/TURN)`);
    ports.push(
      facts.relayPorts === undefined
        ? 'UDP ephemeral range (TURN relays)'
        : `UDP ${facts.relayPorts.low}-${facts.relayPorts.high} (TURN relays)`,
    );
  }
  if (dht.bootstrap !== 'none' && dht.port !== null)
    ports.push(`UDP ${dht.port} (DHT${dht.randomPort ? ', random: fix it with --dht-port' : ''})`);
  const turn =
    facts.turnPort !== undefined
      ? `built-in on port ${facts.turnPort}`
      : facts.turnExternal !== ''
        ? `external ${facts.turnExternal} (open its ports there)`
        : 'off';
  const dhtState =
    dht.bootstrap === 'none'
      ? 'off (--dht-bootstrap none): other nodes only through --mesh-peers'
      : `bootstrap ${dht.bootstrap}; ${dht.bootstrapped ? `bootstrapped, ${dht.routingTableSize} nodes in the routing table` : 'not bootstrapped yet (retrying)'}`;
  return [
    `sigmesh ${facts.version} node ${facts.nodeId}`,
    `  public URL  ${facts.url}`,
    `  listening   ${facts.bound.host}:${facts.bound.port}${facts.tls ? ' (TLS)' : ''}`,
    `  open ports  ${ports.join(', ')}`,
    `  TURN        ${turn}`,
    `  DHT         ${dhtState}`,
    `  identity    ${facts.identityFile}`,
    `  check it    sigmesh doctor ${facts.url}`,
  ].join('\n');
}
