import type { DiscoveredNode } from '../discovery/node-directory.js';
import { cidrContains, parseCidrList } from '../turn/cidr.js';
import { normaliseIpBytes, parseIp } from '../turn/ip-address.js';

/**
 * The addresses our TURN server should accept as peers because linked nodes' relays live there
 * (their members' relayed candidates). A link alone proves nothing about an address — behind a
 * reverse proxy every link comes from 127.0.0.1 — so only a node whose signed descriptor the DHT
 * gave us counts, at the address the DHT saw it at, and only inside the ranges the operator named
 * (`--turn-allow-mesh-peer`): public addresses are peers anyway, private ones only on purpose.
 * The list is recomputed whenever links change, so an address stops being a peer with its link.
 */
export function meshTurnPeers(
  linkedIds: readonly string[],
  known: readonly DiscoveredNode[],
  allowCidrs: readonly string[],
): string[] {
  if (allowCidrs.length === 0 || linkedIds.length === 0) return [];
  const { cidrs } = parseCidrList(allowCidrs);
  const linked = new Set(linkedIds);
  const out = new Set<string>();
  for (const node of known) {
    if (!linked.has(node.descriptor.id) || node.address === undefined) continue;
    const raw = parseIp(node.address.host);
    if (raw === undefined) continue;
    const ip = normaliseIpBytes(raw);
    if (cidrs.some((cidr) => cidrContains(cidr, ip))) out.add(node.address.host);
  }
  return [...out];
}
