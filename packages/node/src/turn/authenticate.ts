/**
 * The long-term credential mechanism on the server side (RFC 8489 §9.2.4) with TURN REST
 * usernames. On failure the right error response has already been sent and `undefined` returned.
 */
import { nonce as nonceAttribute } from './attributes/nonce.js';
import { realm as realmAttribute } from './attributes/realm.js';
import { username as usernameAttribute } from './attributes/username.js';
import { attr, readAttribute } from './attribute-reader.js';
import type { Allocation } from './allocation.js';
import { restPassword, restUsernameExpiry } from './rest-credentials.js';
import { longTermKey, verifyMessageIntegrity } from './stun-integrity.js';
import { ATTR_MESSAGE_INTEGRITY, findAttribute } from './stun-message.js';
import type { TurnContext, TurnRequest } from './turn-context.js';

/** Who sent an authenticated request, and the key to sign the answer with. */
export interface Authenticated {
  readonly username: string;
  readonly key: Uint8Array;
}

function challenge(
  context: TurnContext,
  request: TurnRequest,
): { type: number; value: Uint8Array }[] {
  const id = request.message.transactionId;
  return [
    attr(realmAttribute, context.options.realm, id),
    attr(nonceAttribute, context.nonces.mint(request.tuple.client.address, context.now()), id),
  ];
}

/** Authenticates a TURN request (RFC 8489 §9.2.4 steps in order). */
export function authenticate(
  context: TurnContext,
  request: TurnRequest,
  knownKey?: Uint8Array,
): Authenticated | undefined {
  const { message, tuple } = request;
  if (findAttribute(message, ATTR_MESSAGE_INTEGRITY) === undefined) {
    // The normal first request of every client: 401 with REALM and NONCE (no MI: no key yet).
    context.sendChallenge(request, challenge(context, request));
    return undefined;
  }
  const user = readAttribute(message, usernameAttribute);
  const realm = readAttribute(message, realmAttribute);
  const nonce = readAttribute(message, nonceAttribute);
  if (user?.ok !== true || realm?.ok !== true || nonce?.ok !== true) {
    context.sendError(
      request,
      400,
      'TURN_MALFORMED',
      'MESSAGE-INTEGRITY without USERNAME, REALM and NONCE',
    );
    return undefined;
  }
  const nonceState = context.nonces.check(nonce.value, tuple.client.address, context.now());
  if (nonceState !== 'ok') {
    context.sendError(
      request,
      438,
      'TURN_NONCE_STALE',
      `nonce ${nonceState}`,
      undefined,
      challenge(context, request),
    );
    return undefined;
  }
  const username = user.value;
  const expiry = restUsernameExpiry(username);
  if (
    realm.value !== context.options.realm ||
    expiry === undefined ||
    expiry * 1000 <= context.now()
  ) {
    const why =
      realm.value !== context.options.realm
        ? 'wrong realm'
        : expiry === undefined
          ? 'not a REST username'
          : 'credentials expired';
    context.sendError(
      request,
      401,
      'TURN_CREDENTIALS_INVALID',
      why,
      undefined,
      challenge(context, request),
    );
    return undefined;
  }
  if (knownKey !== undefined && verifyMessageIntegrity(message, knownKey))
    return { username, key: knownKey };
  for (const secret of context.options.secrets) {
    const key = longTermKey(username, context.options.realm, restPassword(secret, username));
    if (verifyMessageIntegrity(message, key)) return { username, key };
  }
  context.sendError(
    request,
    401,
    'TURN_CREDENTIALS_INVALID',
    'MESSAGE-INTEGRITY does not match',
    undefined,
    challenge(context, request),
  );
  return undefined;
}

/**
 * Authenticates a request that needs the allocation on its 5-tuple (Refresh, CreatePermission,
 * ChannelBind): 437 when there is none, 441 when the credentials differ (RFC 8656 §5).
 */
export function authenticateForAllocation(
  context: TurnContext,
  request: TurnRequest,
): { allocation: Allocation; auth: Authenticated } | undefined {
  const allocation = context.state.allocations.get(request.tuple.key);
  const auth = authenticate(context, request, allocation?.key);
  if (auth === undefined) return undefined;
  if (allocation === undefined || allocation.closed) {
    context.sendError(
      request,
      437,
      'TURN_ALLOCATION_MISMATCH',
      'no allocation on this 5-tuple',
      auth.key,
    );
    return undefined;
  }
  if (allocation.username !== auth.username) {
    context.sendError(
      request,
      441,
      'TURN_CREDENTIALS_INVALID',
      'not the username of the allocation',
      auth.key,
    );
    return undefined;
  }
  return { allocation, auth };
}
