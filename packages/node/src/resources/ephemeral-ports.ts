/**
 * The kernel's ephemeral port range (`net.ipv4.ip_local_port_range`, also used for IPv6). Every
 * TURN allocation binds one relay socket to a port from it, and so does every outgoing
 * connection, so it bounds allocations the way the open-file limit bounds connections.
 */
import { readFileSync } from 'node:fs';

/** Ports in `/proc/sys/net/ipv4/ip_local_port_range`, or `undefined` where it cannot be read. */
export function readEphemeralPortCount(
  read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): number | undefined {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (low === undefined || high === undefined || !(high >= low)) return undefined;
    return high - low + 1;
  } catch {
    return undefined;
  }
}

/** The range itself (`low`–`high`), or `undefined` where it cannot be read. */
export function readEphemeralPortRange(
  read: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): { low: number; high: number } | undefined {
  try {
    const [low, high] = read().trim().split(/\s+/).map(Number);
    if (low === undefined || high === undefined || !(high >= low)) return undefined;
    return { low, high };
  } catch {
    return undefined;
  }
}
