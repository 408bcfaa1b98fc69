import { isIP } from 'node:net';

/** A DHT node address. */
export interface DhtAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the DHT bootstraps from: the public mainline routers, nobody (a seed node, or a node that
 * waits to be contacted), or an explicit list (a local testnet).
 */
export type DhtBootstrap = 'mainline' | 'none' | readonly DhtAddress[];

/** One problem in a bootstrap option string. */
export interface BootstrapProblem {
  readonly reason: 'empty' | 'missing-port' | 'bad-port' | 'bad-host';
  /** The offending entry as written. */
  readonly entry: string;
  readonly message: string;
}

/** The outcome of parsing `--dht-bootstrap`: every problem at once, so config can report them all. */
export type BootstrapParseResult =
  | { readonly ok: true; readonly value: DhtBootstrap }
  | { readonly ok: false; readonly problems: readonly BootstrapProblem[] };

const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * Parses `mainline`, `none` or `HOST:PORT,HOST:PORT,…` (IPv4 or host names; bittorrent-dht is
 * IPv4 only, so IPv6 literals are refused). Pure.
 */
export function parseDhtBootstrap(text: string): BootstrapParseResult {
  const trimmed = text.trim();
  if (trimmed === 'mainline' || trimmed === 'none') return { ok: true, value: trimmed };
  const entries = trimmed.split(',').map((entry) => entry.trim());
  const problems: BootstrapProblem[] = [];
  const value: DhtAddress[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if ('reason' in parsed) problems.push(parsed);
    else value.push(parsed);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}

/** The option's string form (for logs, `/` and `--help`). */
export function formatDhtBootstrap(bootstrap: DhtBootstrap): string {
  if (typeof bootstrap === 'string') return bootstrap;
  return bootstrap.map((address) => `${address.host}:${address.port}`).join(',');
}

function parseEntry(entry: string): DhtAddress | BootstrapProblem {
  if (entry === '')
    return {
      reason: 'empty',
      entry,
      message: 'empty bootstrap entry (expected mainline, none or HOST:PORT,…)',
    };
  const colon = entry.lastIndexOf(':');
  if (colon < 0)
    return {
      reason: 'missing-port',
      entry,
      message: `bootstrap entry ${JSON.stringify(entry)} has no :PORT`,
    };
  const host = entry.slice(0, colon);
  const portText = entry.slice(colon + 1);
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 1 && port <= 65535))
    return {
      reason: 'bad-port',
      entry,
      message: `bootstrap entry ${JSON.stringify(entry)}: port must be 1–65535`,
    };
  if (isIP(host) !== 4 && (isIP(host) !== 0 || !HOSTNAME.test(host))) {
    return {
      reason: 'bad-host',
      entry,
      message: `bootstrap entry ${JSON.stringify(entry)}: host must be an IPv4 address or a host name`,
    };
  }
  return { host, port };
}

/** Delay before bootstrap attempt `attempts + 1`: from the minimum, doubling, capped, ±25 % jitter. */
export function bootstrapRetryDelay(attempts: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}
