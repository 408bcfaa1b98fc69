/**
 * Join success rate for N clients behind one address (tabs, an office NAT, a CGNAT) joining at
 * once through a local 3-node testnet with the nodes' default pricing (in a child process). Each
 * client is @sigmesh/client's joinRoom in this process with its own PoW worker, its own room
 * (so no peer connection is made and WebRTC is never used), and every second one relay-only
 * (its join then also needs TURN credentials from /token).
 *
 *   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx \
 *     bench/pricing/shared-address-joins.ts --clients 12 --rounds 5 --label after'
 *
 * Options: --clients 12, --rounds 5, --label (the results key suffix).
 */
import { joinRoom } from '@sigmesh/client';
import { startChild } from '../lib/child-process.js';
import { argument, median, saveResults } from '../lib/bench-report.js';

const clients = Number(argument('clients', '12'));
const rounds = Number(argument('rounds', '5'));
const label = argument('label', 'after');

/** joinRoom checks for an RTCPeerConnection; with one client per room none is ever made. */
function NoPeerConnection(): never {
  throw new Error('no peer connection is made in this benchmark');
}

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
  };
}

async function listed(urls: readonly string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const url of urls) {
    for (;;) {
      const answer = (await (
        await fetch(`${url}/nodes`, { headers: { accept: 'application/json' } })
      ).json()) as { nodes: unknown[] };
      if (answer.nodes.length >= urls.length - 1) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not find each other');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const results = [];
for (let round = 0; round < rounds; round++) {
  const child = await startChild('../pricing/testnet-child.ts', ['3']);
  try {
    const { urls } = await child.call<{ urls: string[] }>({ type: 'urls' });
    await listed(urls);
    const started = Date.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: clients }, async (_, index) => {
        const room = await joinRoom({
          appId: 'bench-shared-address',
          room: `round-${round}-client-${index}`,
          nodes: [urls[index % urls.length]!],
          storage: memoryStorage(),
          rtc: { RTCPeerConnection: NoPeerConnection },
          ...(index % 2 === 0 ? { iceTransportPolicy: 'relay' as const } : {}),
        });
        return { room, ms: Date.now() - started };
      }),
    );
    const joined = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const failed = outcomes.flatMap((o) =>
      o.status === 'rejected' ? [(o.reason as { code?: string }).code ?? 'ERROR'] : [],
    );
    for (const { room } of joined) room.leave();
    const row = {
      round,
      joined: joined.length,
      failed,
      medianJoinMs: median(joined.map((j) => j.ms)),
      maxJoinMs: joined.length === 0 ? Number.NaN : Math.max(...joined.map((j) => j.ms)),
    };
    process.stdout.write(`${JSON.stringify(row)}\n`);
    results.push(row);
  } finally {
    await child.call({ type: 'close' }).catch(() => undefined);
    await child.stop();
  }
}
const joinedTotal = results.reduce((sum, row) => sum + row.joined, 0);
const summary = {
  method: `${clients} joinRoom calls at once from 127.0.0.1 (own room each, every second one relay-only) on a 3-node testnet with default pricing in a child process; ${rounds} rounds`,
  successRate: joinedTotal / (clients * rounds),
  failures: results.flatMap((row) => row.failed),
  medianJoinMs: median(results.map((row) => row.medianJoinMs)),
  rounds: results,
};
process.stdout.write(
  `${JSON.stringify({ successRate: summary.successRate, failures: summary.failures, medianJoinMs: summary.medianJoinMs })}\n`,
);
process.stdout.write(`${saveResults(`sharedAddressJoins-${label}`, summary, 'pricing')}\n`);
process.exit(0);
