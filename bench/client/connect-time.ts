/**
 * Page load → data channel open, two Chromium pages: through sigmesh (each page on its own node
 * of a fresh local 3-node testnet, the client's default options) against the same two pages
 * through ONE bittorrent-tracker WebSocket server (bittorrent-tracker's own browser client, as
 * WebTorrent uses it). Each trial is timed from the moment both `page.goto` calls start to the
 * first data channel `open` on the later of the two pages, measured in the pages by the same
 * init script (pages/instrument.ts), which also records the steps on the way for the breakdown.
 * Variants run interleaved, the order rotating each round; one untimed warm-up trial each.
 *
 *   unshare -n sh -c 'ip link set lo up && node --conditions=source --import tsx bench/client/connect-time.ts'
 *
 * Options: --rounds 12, --pow 2000,64 (one sigmesh variant per powBaseDifficulty; 2000 is the
 * node default), --tracker-offers 1 (offers per announce; WebTorrent sends 5),
 * --trial-timeout-ms 30000, --name connectTime; --alt-bundle PATH (a client bundle built from a
 * changed client, run as extra variants labelled --alt-label) to measure a client change against
 * the built client in the same interleaved run; --password TEXT joins every sigmesh page with
 * that room password (sealed signaling, its key derived in the page); --node-lookup-ms (the
 * nodes' periodic node lookup, default a deployed node's 300000; the testnet's own is 2000).
 * Writes the named section of bench/results/client-<date>.json (every trial with every page's
 * marks) and prints medians, p90, ratios and the breakdown.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createTestnet, defaultDiscoveryLimits, type Testnet } from '@sigmesh/node';
import { Server as TrackerServer } from 'bittorrent-tracker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { argument, cpuJiffies, cpuShares, round } from '../lib/bench-report.js';
import { chromiumVersion, launchChromium } from './chromium.js';
import { clientResultsFile, saveClientResults } from './client-results.js';
import { printSummary, summarizeTrials, trialStats, type Trial } from './connect-timeline.js';
import { connectPages, instrumentScript } from './page-bundles.js';
import { pageUrl, type PageConfig } from './pages/page-config.js';
import type { PageMark, PageProbe } from './pages/page-marks.js';
import { startStaticServer } from './static-server.js';

const rounds = Number(argument('rounds', '12'));
const powPrices = argument('pow', '2000,64').split(',').filter(Boolean).map(Number);
const trackerOffers = Number(argument('tracker-offers', '1'));
const trialTimeoutMs = Number(argument('trial-timeout-ms', '30000'));
const sectionName = argument('name', 'connectTime');
const altBundle = argument('alt-bundle', '');
const altLabel = argument('alt-label', 'alt bundle');
const password = argument('password', '');
const nodeLookupMs = Number(
  argument('node-lookup-ms', String(defaultDiscoveryLimits.nodeLookupMs)),
);

/** Quiet time after a fresh testnet has linked up, before a trial starts. */
const SETTLE_MS = 500;

/** One way to get two pages connected. */
interface Variant {
  readonly name: string;
  /** Starts what the two pages need (untimed) and says how each page is configured. */
  setUp(round: number): Promise<{ configs: [PageConfig, PageConfig]; close(): Promise<void> }>;
}

/** A fresh 3-node testnet per trial: a node prices by client address (all pages are 127.0.0.1). */
function sigmeshVariant(powBaseDifficulty: number, alt = false): Variant {
  return {
    name: alt
      ? `sigmesh ${altLabel} (pow ${powBaseDifficulty})`
      : `sigmesh (pow ${powBaseDifficulty})`,
    async setUp(round) {
      const testnet = await createTestnet({
        nodes: 3,
        nodeOptions: {
          powBaseDifficulty,
          turnAllowPeer: ['127.0.0.0/8'],
          // A deployed node's periodic node lookup (5 min), not the testnet's 2 s one: each walks
          // the network key and fetches every node's id and descriptor, and the three nodes' next
          // lookups otherwise land inside every trial (≈ 25 ms of the nodes' CPU per trial, the
          // machine's two cores being what the trials wait on). Room lookups keep the testnet's
          // pace; the testnet links up through its start-up lookups.
          discoveryLimits: { nodeLookupMs },
        },
      });
      await waitForSettledTestnet(testnet);
      const [n1, n2] = testnet.nodes.map((node) => node.url());
      const room = `bench-${round}-${randomBytes(4).toString('hex')}`;
      const config = (node: string): PageConfig => ({
        kind: 'sigmesh',
        appId: 'bench',
        room,
        nodes: [node],
        ...(password === '' ? {} : { password }),
        ...(alt ? { alt } : {}),
      });
      return { configs: [config(n1!), config(n2!)], close: () => testnet.close() };
    },
  };
}

/**
 * The trial starts on a settled network, as a page meets long-running nodes: every node lists the
 * others at /nodes and holds a mesh link to each (the handshakes, their admission PoW and the
 * first DHT rounds of a fresh testnet are done), then the nodes have been quiet for a moment.
 */
async function waitForSettledTestnet(testnet: Testnet): Promise<void> {
  const deadline = Date.now() + 20_000;
  const others = testnet.nodes.length - 1;
  for (const node of testnet.nodes) {
    for (;;) {
      const json = (url: string) =>
        fetch(url, { headers: { accept: 'application/json' } }).then(
          (response) => response.json() as Promise<Record<string, unknown>>,
        );
      const [listed, info] = await Promise.all([json(`${node.url()}/nodes`), json(node.url())]);
      const links = (info.mesh as { links?: number } | undefined)?.links ?? 0;
      if ((listed.nodes as unknown[]).length >= others && links >= others) break;
      if (Date.now() > deadline) throw new Error('the testnet nodes did not link up');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}

/** One bittorrent-tracker server (WebSocket only) on loopback, fresh per trial. */
function trackerVariant(offers: number): Variant {
  return {
    name: 'bittorrent-tracker',
    async setUp() {
      const server = new TrackerServer({ http: false, udp: false, ws: true, stats: false });
      server.on('error', (error: Error) => process.stderr.write(`tracker: ${error.message}\n`));
      server.on('warning', () => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.ws.address();
      const config: PageConfig = {
        kind: 'tracker',
        tracker: `ws://127.0.0.1:${port}`,
        infoHash: randomBytes(20).toString('hex'),
        offers,
      };
      return {
        configs: [config, config],
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
      };
    },
  };
}

/** A page in its own browser context (its own storage and cache: a first visit), instrumented. */
async function openPage(
  browser: Browser,
  instrument: string,
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext();
  await context.addInitScript({ content: instrument });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

function probeOf(page: Page): Promise<PageProbe> {
  return page.evaluate(() => (window as unknown as { __bench: PageProbe }).__bench);
}

async function runTrial(
  browser: Browser,
  origin: string,
  instrument: string,
  variant: Variant,
  roundIndex: number,
): Promise<Trial> {
  const setup = await variant.setUp(roundIndex);
  const pages = await Promise.all([openPage(browser, instrument), openPage(browser, instrument)]);
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  try {
    const machineBefore = cpuJiffies();
    const cpuBefore = process.cpuUsage();
    loopDelay.enable();
    const t0 = performance.timeOrigin + performance.now();
    await Promise.all(
      pages.map(({ page }, i) =>
        page.goto(pageUrl(origin, setup.configs[i]!), { timeout: trialTimeoutMs }),
      ),
    );
    const left = Math.max(1000, trialTimeoutMs - (performance.timeOrigin + performance.now() - t0));
    const opened = await Promise.all(
      pages.map(({ page }) =>
        page
          .waitForFunction(
            () => (window as unknown as { __bench: PageProbe }).__bench.firstOpen !== undefined,
            undefined,
            { timeout: left, polling: 50 },
          )
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    const machine = cpuShares(machineBefore);
    const probes = await Promise.all(pages.map(({ page }) => probeOf(page)));
    const pageMs = probes.map((probe) =>
      probe.firstOpen === undefined ? Number.NaN : probe.firstOpen - t0,
    );
    return {
      variant: variant.name,
      round: roundIndex,
      ok: opened.every(Boolean),
      ms: Math.max(...pageMs),
      pageMs,
      t0,
      marks: probes.map((probe) =>
        probe.marks.map((entry: PageMark) => ({ ...entry, t: round(entry.t - t0, 1) })),
      ),
      errors: pages.flatMap(({ errors }) => errors),
      load: {
        benchProcessCpuMs: round((cpu.user + cpu.system) / 1000, 1),
        eventLoopDelayMaxMs: round(loopDelay.max / 1e6, 1),
        eventLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6, 1),
        machineIdle: machine.idle,
        machineSteal: machine.steal,
      },
    };
  } finally {
    await Promise.all(pages.map(({ context }) => context.close()));
    await setup.close();
  }
}

async function main(): Promise<void> {
  const instrument = await instrumentScript();
  const server = await startStaticServer(
    await connectPages(altBundle === '' ? undefined : altBundle),
  );
  const browser = await launchChromium();
  const variants: Variant[] = [
    ...powPrices.map((price) => sigmeshVariant(price)),
    ...(altBundle === '' ? [] : powPrices.map((price) => sigmeshVariant(price, true))),
    trackerVariant(trackerOffers),
  ];
  const version = chromiumVersion(browser);
  const trials: Trial[] = [];
  try {
    for (const variant of variants) {
      const warm = await runTrial(browser, server.origin, instrument, variant, -1);
      process.stdout.write(
        `warm-up ${variant.name}: ${warm.ok ? `${Math.round(warm.ms)} ms` : 'FAILED'}\n`,
      );
    }
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[(i + r) % variants.length]!;
        const trial = await runTrial(browser, server.origin, instrument, variant, r);
        trials.push(trial);
        process.stdout.write(
          `round ${r + 1}/${rounds}  ${variant.name.padEnd(20)} ${trial.ok ? `${Math.round(trial.ms)} ms` : 'FAILED'}  (pages ${trial.pageMs.map((ms) => Math.round(ms)).join(' / ')}; idle ${trial.load.machineIdle}, loop max ${trial.load.eventLoopDelayMaxMs} ms, bench cpu ${trial.load.benchProcessCpuMs} ms)${trial.errors.length > 0 ? `  errors: ${trial.errors.join('; ')}` : ''}\n`,
        );
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }

  const { stats, ratios } = trialStats(trials);
  const breakdown = summarizeTrials(trials);
  printSummary(stats, ratios, breakdown);

  // Every page's marks, one trial per line (gzipped: about 10 KB per trial in plain JSON), the
  // raw material for other breakdowns: connect-report.ts reads it back.
  const marksFile = clientResultsFile().replace(/\.json$/, `-${sectionName}-marks.jsonl.gz`);
  writeFileSync(
    marksFile,
    gzipSync(`${trials.map((trial) => JSON.stringify(trial)).join('\n')}\n`),
  );
  const file = saveClientResults(sectionName, {
    command: `node --conditions=source --import tsx bench/client/connect-time.ts --rounds ${rounds} --pow ${powPrices.join(',')} --tracker-offers ${trackerOffers}${password === '' ? '' : ` --password '${password}'`}${altBundle === '' ? '' : ` --alt-bundle ${altBundle} --alt-label '${altLabel}'`}`,
    chromium: version,
    options: { rounds, powPrices, trackerOffers, trialTimeoutMs, altBundle, altLabel, password },
    stats,
    ratios,
    breakdown,
    marksFile: marksFile.slice(marksFile.lastIndexOf('/') + 1),
    trials: trials.map((trial) => ({ ...trial, marks: undefined })),
  });
  process.stdout.write(`results: ${file}\n`);
}

await main();
