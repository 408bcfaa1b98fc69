import type { ErrorSpec } from './error-spec.js';

/** DHT errors. */
export const dhtErrors = {} as const satisfies Record<string, ErrorSpec>;
