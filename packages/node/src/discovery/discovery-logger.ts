/** The slice of pino's Logger discovery uses; a pino Logger (or a child) fits it. */
export interface DiscoveryLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}
