import type { ErrorSpec } from './error-spec.js';

/** MESH errors. */
export const meshErrors = {} as const satisfies Record<string, ErrorSpec>;
