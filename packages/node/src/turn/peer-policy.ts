/**
 * Which peers a relay may talk to (RFC 8656 §21.2.3 "Preventing relaying to internal hosts";
 * special-purpose ranges from the IANA IPv4 and IPv6 Special-Purpose Address Registries,
 * RFC 6890). Denied unless an operator allow-list says otherwise: a TURN server that relays to
 * 127.0.0.1 or 10.0.0.0/8 is a way into the operator's network.
 */
import { cidrContains, parseCidr, parseCidrList, type Cidr } from './cidr.js';
import { normaliseIpBytes, parseIp } from './ip-address.js';

/** Ranges never relayed to by default. */
export const DEFAULT_DENIED_PEER_RANGES: readonly string[] = [
  '0.0.0.0/8', // "this network" (and 0.0.0.0)
  '10.0.0.0/8', // private
  '100.64.0.0/10', // CGNAT shared space
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.88.99.0/24', // 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and 255.255.255.255 broadcast
  '::/128', // unspecified
  '::1/128', // loopback
  '::/96', // IPv4-compatible (deprecated)
  '64:ff9b::/96', // NAT64: could reach private IPv4
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001::/23', // IETF protocol assignments (Teredo, ORCHID…)
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds any IPv4
  'fc00::/7', // unique local (ULA)
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
];

/** The decision for one peer address. */
export type PeerDecision = 'allowed' | 'denied' | 'invalid';

/** A compiled policy. */
export interface PeerPolicy {
  check(address: string): PeerDecision;
  /** Replaces the extra allow list (relay addresses of other mesh nodes). */
  setExtraAllowed(entries: Iterable<string>): void;
}

/** Inputs of {@link createPeerPolicy}; every list holds CIDRs or bare addresses. */
export interface PeerPolicyInput {
  readonly allowedPeerCidrs?: Iterable<string>;
  readonly extraAllowedPeers?: Iterable<string>;
  readonly deniedPeerCidrs?: Iterable<string>;
}

function compile(entries: Iterable<string> | undefined, what: string): Cidr[] {
  const { cidrs, invalid } = parseCidrList(entries ?? []);
  if (invalid.length > 0) throw new RangeError(`invalid ${what}: ${invalid.join(', ')}`);
  return cidrs;
}

const DEFAULT_DENIED = DEFAULT_DENIED_PEER_RANGES.map((text) => {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`bad built-in range ${text}`);
  return cidr;
});

/**
 * Compiles a policy. Order: an address on an allow list is allowed; otherwise one in a denied
 * range (built-in or operator's) is denied; everything else is allowed. Throws on malformed
 * CIDRs (operator configuration, reported at start-up).
 */
export function createPeerPolicy(input: PeerPolicyInput = {}): PeerPolicy {
  const allowed = compile(input.allowedPeerCidrs, 'allowed peer CIDR');
  let extra = compile(input.extraAllowedPeers, 'extra allowed peer');
  const denied = [...DEFAULT_DENIED, ...compile(input.deniedPeerCidrs, 'denied peer CIDR')];
  return {
    check(address) {
      const raw = parseIp(address);
      if (raw === undefined) return 'invalid';
      const ip = normaliseIpBytes(raw);
      for (const cidr of allowed) if (cidrContains(cidr, ip)) return 'allowed';
      for (const cidr of extra) if (cidrContains(cidr, ip)) return 'allowed';
      for (const cidr of denied) if (cidrContains(cidr, ip)) return 'denied';
      return 'allowed';
    },
    setExtraAllowed(entries) {
      extra = compile(entries, 'extra allowed peer');
    },
  };
}
