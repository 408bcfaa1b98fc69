import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TestContext } from 'node:test';

/** A self-signed P-256 certificate and its key (PEM), made by `openssl`, for `name` (CN and SAN). */
export interface TestCertificate {
  readonly cert: string;
  readonly key: string;
}

/** A temporary directory with `openssl`-made pairs, removed when the test ends. */
export function tlsDirectory(t: TestContext): {
  dir: string;
  certFile: string;
  keyFile: string;
  make(name: string): TestCertificate;
  /** Installs a pair the way certbot/acme clients do: write beside, then rename over. */
  install(pair: { cert: string; key: string }): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'sigmesh-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const certFile = join(dir, 'fullchain.pem');
  const keyFile = join(dir, 'privkey.pem');
  let made = 0;
  return {
    dir,
    certFile,
    keyFile,
    make(name) {
      const base = join(dir, `made-${made++}`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          `${base}.key`,
          '-out',
          `${base}.crt`,
          '-days',
          '2',
          '-subj',
          `/CN=${name}`,
          '-addext',
          `subjectAltName=${isIP(name) ? 'IP' : 'DNS'}:${name}`,
        ],
        { stdio: 'ignore' },
      );
      return {
        cert: readFileSync(`${base}.crt`, 'utf8'),
        key: readFileSync(`${base}.key`, 'utf8'),
      };
    },
    install(pair) {
      writeFileSync(`${certFile}.new`, pair.cert);
      writeFileSync(`${keyFile}.new`, pair.key);
      renameSync(`${certFile}.new`, certFile);
      renameSync(`${keyFile}.new`, keyFile);
    },
  };
}

/** The CN of the certificate a fresh TLS connection to 127.0.0.1:`port` is served. */
export function servedCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const subject = socket.getPeerCertificate().subject as { CN?: string } | undefined;
      socket.destroy();
      resolve(subject?.CN ?? '');
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS handshake timed out')));
    socket.on('error', reject);
  });
}
