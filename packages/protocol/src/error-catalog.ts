import type { ErrorSpec } from './error-spec.js';
import { generalErrors } from './errors-general.js';
import { powErrors } from './errors-pow.js';
import { roomErrors } from './errors-room.js';
import { turnErrors } from './errors-turn.js';
import { dhtErrors } from './errors-dht.js';
import { meshErrors } from './errors-mesh.js';
import { clientErrors } from './errors-client.js';
import { connectionErrors } from './errors-connection.js';
import { trackerErrors } from './errors-tracker.js';
import { topicErrors } from './errors-topics.js';
import { callErrors } from './errors-calls.js';

/**
 * Every error code sigmesh nodes and clients use, with its HTTP status. `docs/errors.md` lists
 * exactly these (a test compares them). Codes are stable: never match on message text.
 */
export const errorCatalog = {
  ...generalErrors,
  ...powErrors,
  ...roomErrors,
  ...turnErrors,
  ...dhtErrors,
  ...meshErrors,
  ...clientErrors,
  ...connectionErrors,
  ...trackerErrors,
  ...topicErrors,
  ...callErrors,
} as const satisfies Record<string, ErrorSpec>;

/** A stable SCREAMING_SNAKE error code. */
export type ErrorCode = keyof typeof errorCatalog;

/** True when `value` is a code in the catalog. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalog, value);
}
