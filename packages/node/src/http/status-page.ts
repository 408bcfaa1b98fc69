import type { NodeStatus } from '@sigmesh/protocol';
import { html, renderPage, type Html } from './html-page.js';

/**
 * The page at `/` for people: this node's state, its links and a map of the mesh. The server
 * renders the first state (readable without JavaScript); `/status.js` then polls `GET /status`
 * here and on every node it learns about, and keeps the table and the map current. The text
 * formats below are the script's too (assets/status-page.js): keep the two in step.
 */
export function renderStatusPage(status: NodeStatus, yourPrice: number): string {
  const { node, load, rooms, dht, turn, links, dialects } = status;
  const row = (label: string, field: string, value: string, mono = false): Html =>
    html`<tr>
      <th>${label}</th>
      <td class="${mono ? 'mono' : ''}" data-field="${field}">${value}</td>
    </tr>`;
  return renderPage(
    'sigmesh node',
    html`<p><a href="/app/">Open the demo app</a></p>
      <table>
        ${row('Node id', 'id', node.id, true)} ${row('Version', 'version', node.version)}
        ${row('Public URL', 'url', node.url, true)}
        ${row('Uptime', 'uptime', formatDuration(status.uptimeSeconds))}
        ${row('PoW price', 'price', formatPrice(status.price))}
        <tr>
          <th></th>
          <td class="muted">${yourPrice} hashes per request for you, when this page loaded</td>
        </tr>
        ${row('Load', 'load', formatLoad(load))}
        ${row('Rooms', 'rooms', `${count(rooms.rooms, 'room')}, ${count(rooms.members, 'member')}`)}
        ${row('DHT', 'dht', formatDht(dht))} ${row('TURN', 'turn', formatTurn(turn))}
        ${row('Mesh', 'links-count', count(links.length, 'link'))}
        ${row('Apps', 'dialects', formatDialects(dialects))}
      </table>
      <h2>For unchanged apps</h2>
      <p class="muted">
        WebTorrent and Trystero apps use this node unchanged: give them these URLs (announce URL,
        relay URL; docs/dialects.md in the sigmesh sources says how).
      </p>
      <table>
        <tbody>
          ${dialects.map(
            (dialect) =>
              html`<tr>
                <th>${dialect.title}</th>
                <td class="mono">${dialect.urls.join(' ')}</td>
              </tr>`,
          )}
        </tbody>
      </table>
      <h2>Linked nodes</h2>
      <table>
        <thead>
          <tr>
            <th>Node id</th>
            <th>URL</th>
          </tr>
        </thead>
        <tbody data-field="links">
          ${
            links.length === 0
              ? html`<tr>
                  <td colspan="2" class="muted">No open links.</td>
                </tr>`
              : links.map(
                  (link) =>
                    html`<tr>
                      <td class="mono">${link.id}</td>
                      <td class="mono"><a href="${link.url}">${link.url}</a></td>
                    </tr>`,
                )
          }
        </tbody>
      </table>
      <h2>Mesh map</h2>
      <svg
        id="mesh-map"
        viewBox="0 0 400 400"
        width="400"
        height="400"
        role="img"
        aria-label="Map of the mesh: nodes and their links"
      >
        <text x="200" y="200" text-anchor="middle">The map is drawn by /status.js.</text>
      </svg>
      <p class="muted">
        <span class="key self">●</span> this node · <span class="key">●</span> answering ·
        <span class="key down">●</span> not answering. Nodes come from this node’s links,
        <a href="/nodes">/nodes</a> and the links of every node reached;
        <span data-field="updated">updates every 2 s</span>.
      </p>
      <p>
        API: <a href="/status">/status</a> · <a href="/metrics">/metrics</a> ·
        <a href="/ip">/ip</a> · <code>GET /room/HASH</code> (server-sent events) ·
        <code>POST /room/HASH</code>
      </p>`,
    html`<style>
        #mesh-map {
          max-width: 100%;
          height: auto;
          border: 1px solid #dde;
          border-radius: 6px;
        }
        #mesh-map line.link {
          stroke: #8a94a6;
          stroke-width: 2;
        }
        #mesh-map .node circle {
          fill: #3b6fc4;
        }
        #mesh-map .node.self circle {
          fill: #d9822b;
          stroke: #1d2330;
          stroke-width: 3;
        }
        #mesh-map .node.down circle {
          fill: #c4c7cc;
        }
        #mesh-map text {
          font:
            12px ui-monospace,
            monospace;
          fill: #1d2330;
        }
        .key {
          color: #3b6fc4;
        }
        .key.self {
          color: #d9822b;
        }
        .key.down {
          color: #c4c7cc;
        }
      </style>
      <link rel="icon" href="data:," />
      <script src="/status.js" defer></script>`,
  );
}

/** `3 d 4 h`, `2 h 5 min`, `4 min 9 s`, `12 s`: the two largest units. */
export function formatDuration(seconds: number): string {
  const parts: Array<[number, string]> = [
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

function formatPrice(price: number): string {
  return `${price} hashes per request (a quiet client, now)`;
}

function formatLoad(load: NodeStatus['load']): string {
  return `cpu ${pct(load.cpu)} · memory ${pct(load.mem)} · smoothed ${pct(load.smoothed)}`;
}

function formatDht(dht: NodeStatus['dht']): string {
  return dht.bootstrapped
    ? `bootstrapped (${dht.routingTableSize} nodes in the routing table)`
    : `not bootstrapped (bootstrap: ${dht.bootstrap}); serving local rooms, retrying`;
}

function formatDialects(dialects: NodeStatus['dialects']): string {
  if (dialects.length === 0) return 'none';
  return dialects.map((d) => `${d.name} ${count(d.connections, 'connection')}`).join(' · ');
}

function formatTurn(turn: NodeStatus['turn']): string {
  if (turn.mode === 'built-in') return `built-in server, ${count(turn.allocations, 'allocation')}`;
  return turn.mode === 'external' ? 'external server (credentials minted here)' : 'off';
}

/** `1 room`, `2 rooms`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function pct(value: number): string {
  return `${Math.round(value * 100)}%`;
}
