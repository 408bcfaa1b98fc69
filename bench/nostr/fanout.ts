// Nostr ingest + fan-out: a sigmesh node's /nostr (id and signature checked for every event, the
// topic bus, filters) against a raw ws relay that only parses and broadcasts (raw-relay.ts), both
// up at once in their own processes, the load in a third. Rounds alternate which goes first;
// each round sends fresh signed events. Reported: events/s in, deliveries/s out, and the relay's
// CPU µs per event (what the relay itself spent, whatever the load generator cost).
//   node --conditions=source --import tsx bench/nostr/fanout.ts [--events 1000] [--subscribers 20] [--rounds 7]
import { argument, cpuJiffies, cpuShares, median, saveResults } from '../lib/bench-report.js';
import { startChild, type BenchChild } from '../lib/child-process.js';

const events = Number(argument('events', '1000'));
const subscribers = Number(argument('subscribers', '20'));
const rounds = Number(argument('rounds', '7'));
const timeoutMs = Number(argument('round-timeout-ms', '120000'));

type Cpu = { cpu: { user: number; system: number } };
const cpuUs = async (child: BenchChild): Promise<number> => {
  const { cpu } = await child.call<Cpu>({ type: 'cpu' });
  return cpu.user + cpu.system;
};

const relays: Record<string, BenchChild> = {
  sigmesh: await startChild('../nostr/relay-child.ts', ['sigmesh']),
  raw: await startChild('../nostr/relay-child.ts', ['raw']),
};
const load = await startChild('../nostr/load-child.ts');
try {
  for (const [name, relay] of Object.entries(relays)) {
    const { url } = await relay.call<{ url: string }>({ type: 'url' });
    await load.call({ type: 'connect', name, url, subscribers });
    // Warm-up (JIT, the signature library's tables), untimed.
    await load.call({ type: 'run', name, events: Math.min(200, events), timeoutMs });
  }
  const samples: Record<string, Array<Record<string, number>>> = { sigmesh: [], raw: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['sigmesh', 'raw'] : ['raw', 'sigmesh'];
    for (const name of order) {
      const relay = relays[name]!;
      const jiffies = cpuJiffies();
      const before = await cpuUs(relay);
      const run = await load.call<{ wallMs: number }>({ type: 'run', name, events, timeoutMs });
      const used = (await cpuUs(relay)) - before;
      const shares = cpuShares(jiffies);
      const sample = {
        wallMs: run.wallMs,
        eventsPerSecond: events / (run.wallMs / 1000),
        deliveriesPerSecond: (events * subscribers) / (run.wallMs / 1000),
        relayCpuUsPerEvent: used / events,
        steal: shares.steal,
      };
      samples[name]!.push(sample);
      process.stdout.write(
        `round ${round} ${name}: ${sample.eventsPerSecond.toFixed(0)} events/s, ${sample.deliveriesPerSecond.toFixed(0)} deliveries/s, relay CPU ${sample.relayCpuUsPerEvent.toFixed(0)} µs/event, steal ${shares.steal}\n`,
      );
    }
  }
  const summary = (name: string) => {
    const list = samples[name]!;
    const of = (key: string) => median(list.map((s) => s[key]!));
    return {
      eventsPerSecond: of('eventsPerSecond'),
      deliveriesPerSecond: of('deliveriesPerSecond'),
      relayCpuUsPerEvent: of('relayCpuUsPerEvent'),
      wallMs: of('wallMs'),
    };
  };
  const sigmesh = summary('sigmesh');
  const raw = summary('raw');
  const ratio = {
    eventsPerSecond: sigmesh.eventsPerSecond / raw.eventsPerSecond,
    relayCpuUsPerEvent: sigmesh.relayCpuUsPerEvent / raw.relayCpuUsPerEvent,
    extraCpuUsPerEvent: sigmesh.relayCpuUsPerEvent - raw.relayCpuUsPerEvent,
  };
  process.stdout.write(
    `median sigmesh ${JSON.stringify(sigmesh)}\nmedian raw ${JSON.stringify(raw)}\nratio ${JSON.stringify(ratio)}\n`,
  );
  const file = saveResults(
    'fanout',
    { events, subscribers, rounds, sigmesh, raw, ratio, samples },
    'nostr',
  );
  process.stdout.write(`saved to ${file}\n`);
} finally {
  await Promise.all([...Object.values(relays), load].map((child) => child.stop()));
}
