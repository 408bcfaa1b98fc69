import { parseErrorBody, sigmeshError, type SigmeshError } from '@sigmesh/protocol';

/** fetch, with network failures turned into `NODE_UNREACHABLE` (aborts pass through). */
export async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw init.signal.reason;
    throw sigmeshError('NODE_UNREACHABLE', `cannot reach ${url}: ${String(error)}`, {
      cause: error,
    });
  }
}

/** The JSON of a successful answer, or the node's error as a SigmeshError. */
export async function readJson(response: Response): Promise<unknown> {
  if (!response.ok) throw await errorFrom(response);
  try {
    return await response.json();
  } catch (error) {
    throw sigmeshError('NODE_UNREACHABLE', `${response.url} did not answer JSON`, { cause: error });
  }
}

/** The SigmeshError a failed answer carries (its JSON body), keeping `Retry-After`. */
export async function errorFrom(response: Response): Promise<SigmeshError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const parsed = parseErrorBody(body);
  const retry = Number(response.headers.get('retry-after'));
  const options = Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {};
  if (parsed !== undefined) return sigmeshError(parsed.code, parsed.message, options);
  return sigmeshError('NODE_UNREACHABLE', `${response.url} answered HTTP ${response.status}`);
}

/** A signal that aborts after `ms`, or with `parent`. */
export function timeoutSignal(ms: number, parent?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return parent === undefined ? timeout : AbortSignal.any([timeout, parent]);
}
