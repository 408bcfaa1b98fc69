import { pino, type Logger } from 'pino';
import type { NodeConfig } from '../config/node-options.js';

/** The logger every component receives (pino's interface). */
export type { Logger } from 'pino';

/** JSON lines on stdout at the configured level. */
export function createLogger(level: NodeConfig['logLevel']): Logger {
  return pino({ level, base: { name: 'sigmesh' } });
}
