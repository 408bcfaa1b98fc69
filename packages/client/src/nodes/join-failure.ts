import { SigmeshError, sigmeshError } from '@sigmesh/protocol';

/** Why one node did not let the client in. */
export interface NodeFailure {
  readonly url: string;
  /** NODE_UNREACHABLE when it did not answer; otherwise the refusal it answered. */
  readonly error: SigmeshError;
}

/**
 * The one error joinRoom rejects with when no node let it in, from what each node did. A node
 * that answered is never called unreachable:
 * - NO_NODE_REACHABLE: none answered (or none is known);
 * - ROOM_FULL / POW_TOO_EXPENSIVE: every node that answered said that;
 * - JOIN_REFUSED otherwise: nodes answered but refused (rate limit, overload, a price still
 *   rising when joinTimeoutMs ran out, stream limits…), `retryAfter` being the earliest time one
 *   of them said it would accept.
 * The message names every node and what it said; `cause` lists the per-node errors.
 */
export function joinFailure(failures: readonly NodeFailure[]): SigmeshError {
  if (failures.length === 0)
    return sigmeshError(
      'NO_NODE_REACHABLE',
      'no sigmesh node is configured or known (pass nodes: [url, …])',
    );
  const cause = failures.map((failure) => failure.error);
  const list = failures
    .map(({ url, error }) => `${url}: ${error.code} ${error.message}`)
    .join('; ');
  const answered = failures.filter((failure) => failure.error.code !== 'NODE_UNREACHABLE');
  if (answered.length === 0)
    return sigmeshError('NO_NODE_REACHABLE', `no sigmesh node answered: ${list}`, { cause });
  for (const code of ['ROOM_FULL', 'POW_TOO_EXPENSIVE'] as const) {
    if (answered.every((failure) => failure.error.code === code))
      return sigmeshError(code, `every node that answered said ${code}: ${list}`, { cause });
  }
  const waits = answered
    .map((failure) => failure.error.retryAfter)
    .filter((seconds): seconds is number => seconds !== undefined);
  return sigmeshError('JOIN_REFUSED', `no node let us join: ${list}`, {
    cause,
    ...(waits.length === 0 ? {} : { retryAfter: Math.min(...waits) }),
  });
}

/** Any failure as a SigmeshError (a plain Error that is not one: NODE_UNREACHABLE). */
export function asSigmeshError(error: unknown): SigmeshError {
  if (error instanceof SigmeshError) return error;
  return sigmeshError('NODE_UNREACHABLE', error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
