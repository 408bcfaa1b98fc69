import { isIP } from 'node:net';
import { parseTokenResult, sigmeshError, type NodeInfo } from '@sigmesh/protocol';
import { isPublicIpv4 } from '../../discovery/address-scope.js';
import { postWithPow, quotedOffer } from '../node-api-client.js';
import {
  describeFailure,
  fail,
  pass,
  type CheckResult,
  type DoctorTarget,
} from './doctor-check.js';
import { probeTurnAllocate } from './turn-allocate-probe.js';

/**
 * TURN: pays `POST /token` for credentials, then allocates a UDP relay on the first `turn:` URL
 * with them. A relay address that is private while the node's URL is public is a failure:
 * browsers elsewhere cannot reach it (`--turn-relay-ip`).
 */
export async function checkTurn(target: DoctorTarget, info: NodeInfo): Promise<CheckResult[]> {
  const title = 'TURN credentials (POST /token)';
  let servers: readonly { urls: readonly string[]; username?: string; credential?: string }[];
  try {
    const answer = parseTokenResult(
      await postWithPow(`${target.url}/token`, {}, quotedOffer(info, 'token')),
    );
    if (!answer.ok) throw sigmeshError(answer.code, answer.message);
    servers = answer.value.iceServers;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'TURN_UNAVAILABLE')
      return [
        fail(
          title,
          'the node hands out no TURN server (TURN_UNAVAILABLE)',
          'drop --turn-port -1, or run coturn and give --turn-external HOST:PORT with --turn-secret',
        ),
      ];
    return [fail(title, describeFailure(error), 'pass POST /token through the proxy to the node')];
  }
  const turn = servers.find((server) =>
    server.urls.some((url) => /^turn:/.test(url) && !url.includes('transport=tcp')),
  );
  const url = turn?.urls.find((entry) => /^turn:/.test(entry) && !entry.includes('transport=tcp'));
  const match = url === undefined ? null : /^turn:(\[[^\]]+\]|[^:?]+):(\d+)/.exec(url);
  if (turn?.username === undefined || turn.credential === undefined || match === null)
    return [
      fail(
        title,
        'no turn: URL with credentials in the answer',
        'check --turn-port / --turn-external',
      ),
    ];
  const host = match[1]!.replace(/^\[|\]$/g, '');
  const port = Number(match[2]);
  const results = [pass(title, `${url} (username ${turn.username})`)];
  const allocation = 'TURN relay (UDP Allocate)';
  const outcome = await probeTurnAllocate({
    host,
    port,
    username: turn.username,
    credential: turn.credential,
    timeoutMs: target.timeoutMs,
  });
  if (!outcome.ok) {
    results.push(
      fail(
        allocation,
        outcome.problem,
        `open UDP ${port} (and TCP ${port}) plus the UDP relay port range in the firewall; with --turn-external, check coturn's static-auth-secret equals --turn-secret`,
      ),
    );
    return results;
  }
  const relayed = `${outcome.relayed.address}:${outcome.relayed.port}`;
  const nodeHost = new URL(target.url).hostname.replace(/^\[|\]$/g, '');
  const nodePublic =
    isIP(nodeHost) === 0 ? !/(^|\.)localhost$|\.local$/.test(nodeHost) : isPublicIpv4(nodeHost);
  if (nodePublic && outcome.relayed.family === 4 && !isPublicIpv4(outcome.relayed.address))
    results.push(
      fail(
        allocation,
        `relay ${relayed} is a private address: browsers elsewhere cannot reach it`,
        'behind 1:1 NAT give the public IP with --turn-relay-ip (coturn: external-ip=PUBLIC/PRIVATE)',
      ),
    );
  else results.push(pass(allocation, `relay ${relayed} allocated and released`));
  return results;
}
