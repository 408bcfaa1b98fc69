import { parseNodeInfo, parseNodeStatus, type NodeInfo } from '@sigmesh/protocol';
import {
  describeFailure,
  fail,
  fetchFor,
  pass,
  warn,
  type CheckResult,
  type DoctorTarget,
} from './doctor-check.js';

/** `GET /` as JSON: a sigmesh node answers, and gives out the URL it was reached under. */
export async function checkNodeInfo(
  target: DoctorTarget,
): Promise<{ result: CheckResult; info?: NodeInfo }> {
  const title = 'node info (GET / as JSON)';
  let response: Response;
  try {
    response = await fetchFor(target, '/', { headers: { accept: 'application/json' } });
  } catch (error) {
    return {
      result: fail(
        title,
        `${target.url} did not answer (${describeFailure(error)})`,
        'check that the node runs, the port is open in the firewall, and DNS points at this machine',
      ),
    };
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const info = parseNodeInfo(json);
  if (!response.ok || !info.ok)
    return {
      result: fail(
        title,
        `HTTP ${response.status}, not a sigmesh node answer (${text.slice(0, 80).replace(/\s+/g, ' ')})`,
        'point the proxy (or DNS) at the node, and pass Accept: application/json through',
      ),
    };
  const { node } = info.value;
  const given = node.publicUrl.replace(/\/$/, '');
  if (given !== target.url)
    return {
      info: info.value,
      result: fail(
        title,
        `node ${node.id.slice(0, 12)}… ${node.version} gives out ${given}, not ${target.url}`,
        `start it with --public-url ${target.url} (clients and other nodes use the URL it gives out)`,
      ),
    };
  return {
    info: info.value,
    result: pass(
      title,
      `node ${node.id.slice(0, 12)}… version ${node.version}, price ${info.value.pow.price}`,
    ),
  };
}

/** `GET /` for a browser: the HTML status page. */
export async function checkStatusPage(target: DoctorTarget): Promise<CheckResult> {
  const title = 'status page (GET / as HTML)';
  try {
    const response = await fetchFor(target, '/', { headers: { accept: 'text/html' } });
    await response.arrayBuffer();
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type.startsWith('text/html'))
      return pass(title, `HTTP ${response.status}, ${type}`);
    return fail(
      title,
      `HTTP ${response.status}, ${type || 'no content type'}`,
      'let the proxy pass every path and the Accept header through to the node',
    );
  } catch (error) {
    return fail(title, describeFailure(error), 'see the node info check above');
  }
}

/**
 * CORS: browsers on other origins call every node, so answers carry
 * `Access-Control-Allow-Origin` and a preflight for a paid POST is allowed.
 */
export async function checkCors(target: DoctorTarget): Promise<CheckResult> {
  const title = 'CORS (other sites may call the node)';
  const origin = 'https://doctor.sigmesh.invalid';
  const fix =
    'do not strip or override Access-Control-* headers at the proxy, and pass OPTIONS requests to the node';
  try {
    const simple = await fetchFor(target, '/', { headers: { accept: 'application/json', origin } });
    await simple.arrayBuffer();
    const allowed = simple.headers.get('access-control-allow-origin');
    if (allowed !== '*' && allowed !== origin)
      return fail(title, `GET / has Access-Control-Allow-Origin ${allowed ?? '(none)'}`, fix);
    const preflight = await fetchFor(target, `/room/${'0'.repeat(40)}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,sigmesh-session',
      },
    });
    await preflight.arrayBuffer();
    const headers = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    if (
      preflight.status >= 300 ||
      !headers.includes('authorization') ||
      !headers.includes('sigmesh-session')
    )
      return fail(
        title,
        `the preflight of a POST got HTTP ${preflight.status}, allowed headers "${headers}"`,
        fix,
      );
    return pass(title, 'open to every origin; a POST with PoW and session headers is allowed');
  } catch (error) {
    return fail(title, describeFailure(error), fix);
  }
}

/** `GET /status` (the node's state, DHT included) and `GET /metrics` (Prometheus). */
export async function checkStatusAndMetrics(target: DoctorTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let dht: CheckResult;
  try {
    const response = await fetchFor(target, '/status', { headers: { accept: 'application/json' } });
    const status = parseNodeStatus(await response.json());
    if (!status.ok) throw new Error(status.message);
    const { links, rooms } = status.value;
    results.push(
      pass(
        'status (GET /status)',
        `${links.length} mesh links, ${rooms.rooms} rooms, ${rooms.members} members, TURN ${status.value.turn.mode}`,
      ),
    );
    const d = status.value.dht;
    if (d.bootstrap === 'none')
      dht = warn(
        'DHT',
        'off (--dht-bootstrap none): this node finds other nodes only through --mesh-peers',
        'drop --dht-bootstrap none on a public node so others can find it',
      );
    else if (!d.bootstrapped)
      dht = fail(
        'DHT',
        `not bootstrapped (bootstrap ${d.bootstrap}, routing table ${d.routingTableSize})`,
        'allow outgoing UDP, fix --dht-port and open it for UDP in the firewall',
      );
    else
      dht = pass(
        'DHT',
        `bootstrapped, ${d.routingTableSize} nodes in the routing table (the node's own view: whether its announce is visible from outside is not checked)`,
      );
  } catch (error) {
    results.push(
      fail(
        'status (GET /status)',
        describeFailure(error),
        'pass /status through the proxy to the node',
      ),
    );
    dht = { status: 'skip', title: 'DHT', detail: 'unknown without /status' };
  }
  try {
    const response = await fetchFor(target, '/metrics');
    const text = await response.text();
    if (response.status === 404)
      results.push({
        status: 'skip',
        title: 'metrics (GET /metrics)',
        detail: 'off (--no-metrics) or blocked at the proxy',
      });
    else if (response.status === 403)
      results.push({
        status: 'skip',
        title: 'metrics (GET /metrics)',
        detail: 'forbidden from here (kept for your Prometheus)',
      });
    else if (response.ok && text.includes('sigmesh_'))
      results.push(
        pass(
          'metrics (GET /metrics)',
          'Prometheus text served (firewall it if it should stay private)',
        ),
      );
    else
      results.push(
        fail(
          'metrics (GET /metrics)',
          `HTTP ${response.status}, no sigmesh metrics`,
          'pass /metrics to the node, or turn it off with --no-metrics',
        ),
      );
  } catch (error) {
    results.push(
      fail('metrics (GET /metrics)', describeFailure(error), 'pass /metrics to the node'),
    );
  }
  results.push(dht);
  return results;
}
