import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from '../log/create-logger.js';

/** The TLS server whose certificate is replaced (an `https.Server`). */
export interface SecureContextTarget {
  setSecureContext(options: SecureContextOptions): void;
}

/** What one reload did. */
export type CertificateReload =
  | { readonly ok: true; readonly subject: string; readonly validTo: string }
  | { readonly ok: false; readonly problem: string };

/** A renewal writes two files: once a change is seen, wait this long for the other one. */
const SETTLE_MS = 1000;

/**
 * Serves renewed certificates without a restart. certbot, acme.sh and lego replace the files
 * (write elsewhere, then rename or re-point a symlink), so the files are watched by polling
 * their `stat` (it follows symlinks; a rename changes the inode, a rewrite the mtime) rather than
 * with fs.watch, which loses track of a renamed file. A change is loaded once both files have
 * stopped changing; a pair that does not parse or does not match is logged and the pair being
 * served is kept. SIGHUP reloads at once ({@link reload}).
 */
export class CertificateReloader {
  readonly #certFile: string;
  readonly #keyFile: string;
  readonly #target: SecureContextTarget;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;
  /** The files' stat signature when the served pair was read, and the latest one seen. */
  #served = '';
  #seen = '';
  /** A signature whose pair failed: not retried (nor logged again) until the files change. */
  #failed = '';

  constructor(options: {
    certFile: string;
    keyFile: string;
    target: SecureContextTarget;
    log: Logger;
    /** Poll interval; 0 watches nothing (SIGHUP only). */
    intervalMs: number;
  }) {
    this.#certFile = options.certFile;
    this.#keyFile = options.keyFile;
    this.#target = options.target;
    this.#log = options.log;
    this.#intervalMs = options.intervalMs;
  }

  /** Notes the pair being served now and starts polling. */
  start(): void {
    this.#served = this.#seen = this.#signature();
    if (this.#intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#check(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#settle);
    this.#timer = this.#settle = undefined;
  }

  /** Reads and checks both files and serves them to new connections; the old pair stays on failure. */
  reload(why: string): CertificateReload {
    const signature = this.#signature();
    let outcome: CertificateReload;
    try {
      const cert = readFileSync(this.#certFile);
      const key = readFileSync(this.#keyFile);
      // Throws on a file that does not parse and on a key that does not match the certificate.
      createSecureContext({ cert, key });
      const x509 = new X509Certificate(cert);
      this.#target.setSecureContext({ cert, key });
      outcome = { ok: true, subject: x509.subject.replace(/\n/g, ', '), validTo: x509.validTo };
    } catch (error) {
      outcome = { ok: false, problem: (error as Error).message };
    }
    this.#seen = signature;
    if (outcome.ok) {
      this.#served = signature;
      this.#failed = '';
      this.#log.info(
        { why, subject: outcome.subject, validTo: outcome.validTo, cert: this.#certFile },
        `TLS certificate reloaded (${why}); valid until ${outcome.validTo}`,
      );
      if (Date.parse(outcome.validTo) < Date.now())
        this.#log.warn(
          { validTo: outcome.validTo, cert: this.#certFile },
          'the TLS certificate just loaded has expired: renew it',
        );
    } else {
      this.#failed = signature;
      this.#log.warn(
        { why, problem: outcome.problem, cert: this.#certFile, key: this.#keyFile },
        `TLS certificate not reloaded (${why}): ${outcome.problem}; still serving the previous one`,
      );
    }
    return outcome;
  }

  #check(): void {
    const signature = this.#signature();
    if (signature === this.#served || signature === this.#failed) return;
    if (signature !== this.#seen) {
      // Still changing (one file renewed, the other not yet): look again shortly.
      this.#seen = signature;
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => this.#check(), Math.min(SETTLE_MS, this.#intervalMs));
      this.#settle.unref();
      return;
    }
    this.reload('the files changed');
  }

  /** mtime, size and inode of both files (following symlinks); `-` for a file missing now. */
  #signature(): string {
    return [this.#certFile, this.#keyFile]
      .map((file) => {
        try {
          const stat = statSync(file);
          return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
        } catch {
          return '-';
        }
      })
      .join('|');
  }
}
