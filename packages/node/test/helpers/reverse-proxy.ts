/**
 * Debian's nginx and Caddy in front of a node, run by tests from the recipes in deploy/ (the
 * proxying parts unchanged): one foreground process per proxy with its own temporary prefix,
 * listening on 127.0.0.1, stopped (by its pid) when the test ends.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { promisify } from 'node:util';

export const NGINX = '/usr/sbin/nginx';
export const CADDY = '/usr/bin/caddy';
const deploy = new URL('../../../../deploy/', import.meta.url).pathname;
/** The recipes under test. */
export const NGINX_SITE = join(deploy, 'nginx/sigmesh.conf');
export const NGINX_SNIPPET = join(deploy, 'nginx/sigmesh-proxy.conf');
export const CADDYFILE = join(deploy, 'caddy/Caddyfile');

/** Why proxy tests cannot run here (a `skip` reason), or false. */
export const noNginx: string | false = existsSync(NGINX)
  ? false
  : `${NGINX} is not installed (scripts/test-all.sh installs Debian's nginx)`;
export const noCaddy: string | false = existsSync(CADDY)
  ? false
  : `${CADDY} is not installed (scripts/test-all.sh installs Debian's caddy)`;

export type ProxyKind = 'nginx' | 'caddy';

/** A free TCP port on 127.0.0.1 (free when asked: the proxy binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The `map $http_upgrade $connection_upgrade` block of the nginx site recipe, verbatim. */
export function nginxUpgradeMap(): string {
  const map = /^map \$http_upgrade \$connection_upgrade \{[^}]*\}/m.exec(
    readFileSync(NGINX_SITE, 'utf8'),
  );
  if (map === null) throw new Error(`${NGINX_SITE} has no $connection_upgrade map`);
  return map[0];
}

/** An nginx.conf for a foreground, single-process nginx in `prefix` (temp paths there too). */
function nginxConf(prefix: string, http: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${prefix}/${kind};`)
    .join('\n');
  return `daemon off;
master_process off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
${temp}
${http}
}
`;
}

/** `nginx -t` of the full site recipe, its certificate paths pointed at a throwaway self-signed pair. */
export async function checkNginxSite(t: TestContext): Promise<string> {
  const prefix = mkdtempSync(join(tmpdir(), 'sigmesh-nginx-t-'));
  t.after(() => rmSync(prefix, { recursive: true, force: true }));
  const cert = join(prefix, 'cert.pem');
  const key = join(prefix, 'key.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '1', '-subj', '/CN=node.example.org', '-keyout', key, '-out', cert,
  ]); // prettier-ignore
  const site = readFileSync(NGINX_SITE, 'utf8')
    .replace(/\/etc\/letsencrypt\/live\/node\.example\.org\/fullchain\.pem/, cert)
    .replace(/\/etc\/letsencrypt\/live\/node\.example\.org\/privkey\.pem/, key)
    .replace(/^(\s*include )\/etc\/nginx\/snippets\/sigmesh-proxy\.conf;/m, `$1${NGINX_SNIPPET};`);
  writeFileSync(join(prefix, 'site.conf'), site);
  writeFileSync(join(prefix, 'nginx.conf'), nginxConf(prefix, `include ${prefix}/site.conf;`));
  const { stderr } = await promisify(execFile)(NGINX, [
    '-t', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log'),
  ]); // prettier-ignore
  return stderr;
}

/**
 * Starts `kind` on 127.0.0.1:`listenPort` proxying to the node on 127.0.0.1:`upstreamPort` with
 * the recipe's proxy settings; resolves once it accepts connections.
 */
export async function startProxy(
  t: TestContext,
  kind: ProxyKind,
  listenPort: number,
  upstreamPort: number,
): Promise<string> {
  const prefix = mkdtempSync(join(tmpdir(), `sigmesh-${kind}-`));
  let command: string;
  let args: string[];
  let env: NodeJS.ProcessEnv = process.env;
  if (kind === 'nginx') {
    const http = `${nginxUpgradeMap()}
  upstream sigmesh_node { server 127.0.0.1:${upstreamPort}; keepalive 32; }
  server {
    listen 127.0.0.1:${listenPort};
    include ${NGINX_SNIPPET};
  }`;
    writeFileSync(join(prefix, 'nginx.conf'), nginxConf(prefix, http));
    command = NGINX;
    args = ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', join(prefix, 'error.log')];
  } else {
    command = CADDY;
    args = ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'];
    env = {
      ...process.env,
      HOME: prefix,
      XDG_DATA_HOME: prefix,
      XDG_CONFIG_HOME: prefix,
      CADDY_ADMIN: 'off',
      SIGMESH_SITE: `http://127.0.0.1:${listenPort}`,
      SIGMESH_UPSTREAM: `127.0.0.1:${upstreamPort}`,
    };
  }
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(prefix, { recursive: true, force: true });
  });
  const end = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > end) {
      const log = kind === 'nginx' ? readLog(join(prefix, 'error.log')) : stderr;
      throw new Error(`${kind} did not start on port ${listenPort}:\n${log}`);
    }
    if (await accepts(listenPort)) return `http://127.0.0.1:${listenPort}`;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function readLog(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '(no log)';
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
