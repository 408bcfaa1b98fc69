import type { ErrorSpec } from './error-spec.js';

/** TURN errors. */
export const turnErrors = {} as const satisfies Record<string, ErrorSpec>;
