import { isIP } from 'node:net';
import { isPublicIpv4 } from '../discovery/address-scope.js';

/** What the start-up checks look at: the settings, and what the process and host are. */
export interface DeploymentFacts {
  /** The address bound (`--host`). */
  readonly host: string;
  /** `--public-url` as given ('' when derived from the bound address). */
  readonly publicUrl: string;
  /** The URL the node tells clients and other nodes. */
  readonly url: string;
  readonly trustProxy: boolean;
  /** Port of the built-in TURN server, undefined when it is off or external. */
  readonly turnPort: number | undefined;
  readonly turnRelayIp: string;
  /** The process's user id (undefined where there is none, e.g. Windows). */
  readonly uid: number | undefined;
  /** The host's non-internal interface addresses. */
  readonly interfaceAddresses: readonly string[];
}

/**
 * Common mistakes of a node meant to be public, each as one line saying what to change. Pure:
 * `sigmesh start` logs them as warnings after its banner. Quiet for a node bound to loopback
 * with a loopback URL (tests, `sigmesh dev`, a local try), except for running as root.
 */
export function deploymentWarnings(facts: DeploymentFacts): string[] {
  const warnings: string[] = [];
  const urlHost = hostOf(facts.url);
  const urlPublic = urlHost !== undefined && isPublicHost(urlHost);
  const wildcard = facts.host === '0.0.0.0' || facts.host === '::';
  const loopbackBind = facts.host === 'localhost' || isLoopback(facts.host);
  if (facts.uid === 0)
    warnings.push(
      'running as root: a flaw in the node or a dependency would own the whole machine. Run it as its own user (see the systemd unit or container in docs/operations.md); for ports below 1024 use a reverse proxy or CAP_NET_BIND_SERVICE',
    );
  if (wildcard && !urlPublic)
    warnings.push(
      `listening on all interfaces, but the URL this node gives out is ${facts.url}${facts.publicUrl === '' ? ' (no --public-url)' : ''}, which others cannot reach: set --public-url to the address clients use (https://node.example.org), or --host 127.0.0.1 for a node only this machine uses`,
    );
  if (loopbackBind && urlPublic && !facts.trustProxy)
    warnings.push(
      `listening on loopback only with the public URL ${facts.url}: if a reverse proxy forwards to this node, add --trust-proxy, or every client counts as the proxy's address and per-address limits hit all of them at once`,
    );
  if (facts.turnRelayIp !== '' && !isPublicHost(facts.turnRelayIp))
    warnings.push(
      `--turn-relay-ip ${facts.turnRelayIp} is not a public address: clients elsewhere get TURN relay candidates they cannot reach; give the machine's public IP`,
    );
  else if (facts.turnRelayIp === '' && facts.turnPort !== undefined && urlPublic) {
    const candidates = wildcard ? facts.interfaceAddresses : [facts.host];
    if (!candidates.some((address) => isPublicHost(address)))
      warnings.push(
        `TURN relays would get private addresses (${candidates.join(', ') || 'none'}): behind 1:1 NAT (most cloud VMs) set --turn-relay-ip to the public IP`,
      );
  }
  return warnings;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** A name (assumed public unless it is localhost or .local) or a globally routable address. */
function isPublicHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower.endsWith('.localhost') || lower.endsWith('.local'))
    return false;
  if (isIP(host) === 4) return isPublicIpv4(host);
  if (isIP(host) === 6)
    return !(lower === '::1' || lower === '::' || /^(fc|fd|fe[89ab])/.test(lower));
  return true;
}
