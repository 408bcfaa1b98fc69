/**
 * The status page at `/` in a real Chromium: its script (under the page's strict CSP) polls the
 * nodes and draws the mesh map. Needs Debian's chromium and a private namespace:
 *   unshare -n sh -c 'ip link set lo up && node scripts/run-tests.mjs packages/node/test/interop/status-page-chromium.test.ts'
 * Screenshots go to artifacts/ (not committed).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deriveRoomHash } from '@sigmesh/protocol';
import { chromium, type Page } from 'playwright-core';
import { joinRoom } from '../helpers/room-client.js';
import { startTestnet } from '../helpers/test-testnet.js';
import { waitFor } from '../helpers/wait-for.js';
import { CHROMIUM, CHROMIUM_FLAGS as FLAGS, noChromium } from '../helpers/chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../artifacts/', import.meta.url));
const room = deriveRoomHash('status-page-test', 'lobby');

/** What the map shows: node ids with their classes, and the links as sorted id pairs. */
async function readMap(page: Page): Promise<{ nodes: Record<string, string>; links: string[] }> {
  return page.evaluate(() => {
    const nodes: Record<string, string> = {};
    for (const node of Array.from(document.querySelectorAll('#mesh-map [data-node-id]')))
      nodes[node.getAttribute('data-node-id') ?? ''] = node.getAttribute('class') ?? '';
    const links = Array.from(document.querySelectorAll('#mesh-map line.link')).map(
      (line) => line.getAttribute('data-link') ?? '',
    );
    return { nodes, links: links.sort() };
  });
}

test(
  'the status page draws the 3-node mesh live, this node highlighted, a stopped node greyed',
  {
    skip: noChromium,
    timeout: 60_000,
  },
  async (t) => {
    const net = await startTestnet(t, { nodes: 3 });
    const [n1, n2, n3] = net.nodes;
    const ids = [n1!.id(), n2!.id(), n3!.id()];
    // Members in one room on every node: the nodes find each other on the DHT and link up.
    const members = await Promise.all(net.nodes.map((node) => joinRoom(node.url(), room)));
    t.after(() => members.forEach((member) => member.close()));
    await waitFor(
      () => net.nodes.every((node) => node.meshStats().links === 2),
      'a full mesh of three links',
      20_000,
    );

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    t.after(() => browser.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error')
        problems.push(`${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${n1!.url()}/`);

    const pair = (a: string, b: string): string => [a, b].sort().join('-');
    const allLinks = [
      pair(ids[0]!, ids[1]!),
      pair(ids[0]!, ids[2]!),
      pair(ids[1]!, ids[2]!),
    ].sort();
    await waitFor(
      async () => {
        const map = await readMap(page);
        return ids.every((id) => id in map.nodes) && map.links.length === 3;
      },
      'the map to show three nodes and three links',
      20_000,
    );
    const map = await readMap(page);
    assert.deepEqual(map.links, allLinks, 'node 2 ↔ node 3 is learned from node 2’s /status');
    assert.deepEqual(
      Object.entries(map.nodes).filter(([, classes]) => classes.split(' ').includes('self')),
      [[ids[0], 'node self']],
      'only this node is highlighted',
    );
    assert.equal(map.nodes[ids[1]!], 'node');
    const linked = await page.locator('[data-field="links"]').textContent();
    assert.ok(linked?.includes(ids[1]!) && linked.includes(ids[2]!), 'the links table');
    assert.match((await page.locator('[data-field="updated"]').textContent()) ?? '', /^updated/);
    assert.deepEqual(problems, [], 'no script error and no CSP violation');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}status-page-mesh.png`, fullPage: true });

    // Live: node 3 stops; node 1 still lists it (/nodes) but it no longer answers.
    await net.stopNode(2);
    await waitFor(
      async () => (await readMap(page)).nodes[ids[2]!] === 'node down',
      'node 3 greyed on the map',
      20_000,
    );
    const after = await readMap(page);
    assert.deepEqual(after.links, [pair(ids[0]!, ids[1]!)], 'its links are gone');
    assert.equal(after.nodes[ids[0]!], 'node self');
    await page.screenshot({ path: `${ARTIFACTS}status-page-node-down.png`, fullPage: true });
  },
);
