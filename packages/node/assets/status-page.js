// The live status page at `/` (packages/node/src/http/status-page.ts renders the first state).
// Every 2 s: GET /status and GET /nodes here, then GET /status on every node learned about (CORS
// is open on every node); refreshes the table and redraws the mesh map. A file, not an inline
// script, so the page runs under `script-src 'self'`. Every string from the network goes in
// through textContent or setAttribute, never as markup, and only http(s) URLs are linked or
// fetched. The text formats match status-page.ts.
'use strict';

(() => {
  const POLL_MS = 2000;
  const FETCH_TIMEOUT_MS = 1500;
  /** Most other nodes drawn and polled: bounds the page's fan-out. */
  const MAX_NODES = 32;
  /** A node nothing mentions any more is dropped after this long. */
  const FORGET_MS = 30_000;
  const SVG = 'http://www.w3.org/2000/svg';
  const NODE_ID = /^[0-9a-f]{64}$/;

  /** @type {Map<string, { id: string, url: string, seenAt: number, status?: any, up: boolean }>} */
  const known = new Map();

  function field(name) {
    return document.querySelector(`[data-field="${name}"]`);
  }

  function setText(name, text) {
    const element = field(name);
    if (element !== null) element.textContent = text;
  }

  /** The URL without a trailing slash when it is http(s) and sane, else undefined. */
  function httpUrl(text) {
    if (typeof text !== 'string' || text.length > 512) return undefined;
    try {
      const url = new URL(text);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
      return url.href.replace(/\/$/, '');
    } catch {
      return undefined;
    }
  }

  async function getJson(url) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return await response.json();
    } finally {
      clearTimeout(timer);
    }
  }

  const isCount = (value) => Number.isSafeInteger(value) && value >= 0;
  const isFraction = (value) => typeof value === 'number' && value >= 0 && value <= 1;

  const isId = (value) => typeof value === 'string' && NODE_ID.test(value);

  /** The shape of GET /status (parseNodeStatus in @sigmesh/protocol is the reference). */
  function isStatus(s) {
    return (
      isId(s?.node?.id) &&
      typeof s.node.version === 'string' &&
      httpUrl(s.node.url) !== undefined &&
      [s.uptimeSeconds, s.price, s.rooms?.rooms, s.rooms?.members].every(isCount) &&
      [s.load?.cpu, s.load?.mem, s.load?.smoothed].every(isFraction) &&
      typeof s.dht?.bootstrapped === 'boolean' &&
      typeof s.dht.bootstrap === 'string' &&
      isCount(s.dht.routingTableSize) &&
      typeof s.turn?.mode === 'string' &&
      isCount(s.turn.allocations) &&
      Array.isArray(s.links)
    );
  }

  /** Valid links only: an id and an http(s) URL. */
  function linksOf(status) {
    return status.links.filter((link) => isId(link?.id) && httpUrl(link.url) !== undefined);
  }

  function remember(id, url, now) {
    const href = httpUrl(url);
    if (!isId(id) || href === undefined) return;
    const node = known.get(id);
    if (node !== undefined) node.seenAt = now;
    else if (known.size <= MAX_NODES) known.set(id, { id, url: href, seenAt: now, up: false });
  }

  const pct = (value) => `${Math.round(value * 100)}%`;
  const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

  function formatDuration(seconds) {
    const parts = [
      [Math.floor(seconds / 86_400), 'd'],
      [Math.floor(seconds / 3600) % 24, 'h'],
      [Math.floor(seconds / 60) % 60, 'min'],
      [seconds % 60, 's'],
    ];
    const first = parts.findIndex(([value]) => value > 0);
    if (first < 0) return '0 s';
    return parts
      .slice(first, first + 2)
      .map(([value, unit]) => `${value} ${unit}`)
      .join(' ');
  }

  function fillTable(s) {
    setText('id', s.node.id);
    setText('version', s.node.version);
    setText('url', s.node.url);
    setText('uptime', formatDuration(s.uptimeSeconds));
    setText('price', `${s.price} hashes per request (a quiet client, now)`);
    setText(
      'load',
      `cpu ${pct(s.load.cpu)} · memory ${pct(s.load.mem)} · smoothed ${pct(s.load.smoothed)}`,
    );
    setText('rooms', `${count(s.rooms.rooms, 'room')}, ${count(s.rooms.members, 'member')}`);
    setText(
      'dht',
      s.dht.bootstrapped
        ? `bootstrapped (${s.dht.routingTableSize} nodes in the routing table)`
        : `not bootstrapped (bootstrap: ${s.dht.bootstrap}); serving local rooms, retrying`,
    );
    setText(
      'turn',
      s.turn.mode === 'built-in'
        ? `built-in server, ${count(s.turn.allocations, 'allocation')}`
        : s.turn.mode === 'external'
          ? 'external server (credentials minted here)'
          : 'off',
    );
    setText('links-count', count(s.links.length, 'link'));
    const dialects = Array.isArray(s.dialects) ? s.dialects : [];
    setText(
      'dialects',
      dialects.length === 0
        ? 'none'
        : dialects
            .filter((d) => typeof d?.name === 'string' && isCount(d.connections))
            .map((d) => `${d.name} ${count(d.connections, 'connection')}`)
            .join(' · '),
    );
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.className = className;
    td.textContent = text;
    return td;
  }

  function fillLinks(links) {
    const body = field('links');
    if (body === null) return;
    const rows = links.map((link) => {
      const row = document.createElement('tr');
      const anchor = document.createElement('a');
      anchor.href = httpUrl(link.url);
      anchor.textContent = link.url;
      const urlCell = cell('', 'mono');
      urlCell.append(anchor);
      row.append(cell(link.id, 'mono'), urlCell);
      return row;
    });
    if (rows.length === 0) {
      const row = document.createElement('tr');
      const empty = cell('No open links.', 'muted');
      empty.colSpan = 2;
      row.append(empty);
      rows.push(row);
    }
    body.replaceChildren(...rows);
  }

  function svg(name, attributes) {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    return element;
  }

  /** Nodes on a circle, this node first (at the top); links drawn under the nodes. */
  function draw(selfId) {
    const map = document.getElementById('mesh-map');
    if (map === null) return;
    const nodes = [...known.values()].sort((a, b) =>
      a.id === selfId ? -1 : b.id === selfId ? 1 : a.id < b.id ? -1 : 1,
    );
    const radius = nodes.length > 1 ? 150 : 0;
    const at = new Map(
      nodes.map((node, i) => {
        const angle = -Math.PI / 2 + (2 * Math.PI * i) / nodes.length;
        return [node.id, { x: 200 + radius * Math.cos(angle), y: 200 + radius * Math.sin(angle) }];
      }),
    );
    const edges = new Map();
    for (const node of nodes) {
      if (!node.up) continue;
      for (const link of linksOf(node.status)) {
        if (link.id === node.id || !at.has(link.id)) continue;
        const pair = [node.id, link.id].sort();
        edges.set(pair.join('-'), pair);
      }
    }
    const layers = [];
    for (const [key, [a, b]] of edges) {
      const [from, to] = [at.get(a), at.get(b)];
      layers.push(
        svg('line', {
          class: 'link',
          'data-link': key,
          x1: from.x,
          y1: from.y,
          x2: to.x,
          y2: to.y,
        }),
      );
    }
    for (const node of nodes) {
      const { x, y } = at.get(node.id);
      const classes = ['node', node.id === selfId ? 'self' : '', node.up ? '' : 'down'];
      const group = svg('a', {
        href: node.url,
        class: classes.filter(Boolean).join(' '),
        'data-node-id': node.id,
        transform: `translate(${x} ${y})`,
      });
      const title = svg('title', {});
      title.textContent = `${node.id}\n${node.url}${node.up ? '' : ' (not answering)'}`;
      const label = svg('text', { y: 34, 'text-anchor': 'middle' });
      label.textContent = node.id.slice(0, 8);
      group.append(title, svg('circle', { r: 16 }), label);
      layers.push(group);
    }
    map.replaceChildren(...layers);
  }

  async function poll() {
    const now = Date.now();
    let own;
    try {
      own = await getJson('/status');
    } catch {
      own = undefined;
    }
    if (!isStatus(own)) {
      setText('updated', `this node did not answer at ${new Date().toLocaleTimeString()}`);
      return;
    }
    const selfId = own.node.id;
    fillTable(own);
    fillLinks(linksOf(own));
    remember(selfId, own.node.url, now);
    Object.assign(known.get(selfId) ?? {}, { status: own, up: true });
    for (const link of linksOf(own)) remember(link.id, link.url, now);
    try {
      const list = await getJson('/nodes');
      for (const node of Array.isArray(list?.nodes) ? list.nodes : []) {
        if (typeof node === 'object' && node !== null) remember(node.id, node.url, now);
      }
    } catch {
      // No list this round; links still show the neighbours.
    }
    for (const node of known.values()) if (now - node.seenAt > FORGET_MS) known.delete(node.id);
    const others = [...known.values()].filter((node) => node.id !== selfId);
    await Promise.all(
      others.map(async (node) => {
        try {
          const status = await getJson(`${node.url}/status`);
          node.up = isStatus(status) && status.node.id === node.id;
          node.status = node.up ? status : undefined;
        } catch {
          node.up = false;
          node.status = undefined;
        }
      }),
    );
    // Nodes one hop further are drawn now and polled next round.
    for (const node of others)
      if (node.up) for (const link of linksOf(node.status)) remember(link.id, link.url, now);
    draw(selfId);
    setText('updated', `updated ${new Date().toLocaleTimeString()}, every 2 s`);
  }

  async function loop() {
    try {
      if (!document.hidden) await poll();
    } catch (error) {
      setText('updated', `update failed: ${String(error)}`);
    } finally {
      setTimeout(loop, POLL_MS);
    }
  }

  void loop();
})();
