/** A TURN core with a recording sink and an injected clock, for the state-machine tests. */
import assert from 'node:assert/strict';
import { requestedTransport } from '../../src/turn/attributes/requested-transport.js';
import { mintTurnCredentials } from '../../src/turn/rest-credentials.js';
import { longTermKey } from '../../src/turn/stun-integrity.js';
import { StunMethod } from '../../src/turn/stun-message.js';
import { TurnCore } from '../../src/turn/turn-core.js';
import { resolveTurnOptions, type TurnServerOptions } from '../../src/turn/turn-options.js';
import {
  a,
  challengeOf,
  errorOf,
  RecordingActions,
  request,
  udpTuple,
  type ClientCredentials,
} from './turn-test-client.js';

export const SECRET = 'test-secret';
export const RELAYED = { family: 4 as const, address: '203.0.113.10', port: 50000 };
export const PEER = { family: 4 as const, address: '8.8.8.8', port: 9000 };

export function setup(overrides: Partial<TurnServerOptions> = {}) {
  let clock = 1_800_000_000_000;
  const actions = new RecordingActions();
  const options = resolveTurnOptions({ secrets: [SECRET], now: () => clock, ...overrides });
  const core = new TurnCore(options, actions);
  const tuple = udpTuple();
  return {
    core,
    actions,
    tuple,
    advance(ms: number) {
      clock += ms;
    },
    now: () => clock,
    /** Credentials with the nonce of a first, unauthenticated Allocate. */
    credentials(id = 'alice', ttlSeconds = 3600, secret = SECRET): ClientCredentials {
      core.handleStun(tuple, request(StunMethod.allocate, [a(requestedTransport, 17)]).bytes);
      const challenge = actions.lastStun();
      assert.equal(errorOf(challenge), 401);
      const minted = mintTurnCredentials({ secret, id, ttlSeconds, nowMs: clock });
      return { username: minted.username, password: minted.credential, ...challengeOf(challenge) };
    },
    /** A full authenticated Allocate, relay opened at RELAYED. */
    allocate(credentials: ClientCredentials, extra = [a(requestedTransport, 17)]) {
      const sent = request(StunMethod.allocate, extra, credentials);
      core.handleStun(tuple, sent.bytes);
      const relay = actions.opened.at(-1);
      if (relay !== undefined && core.state.pending.has(tuple.key))
        core.relayOpened(relay.id, tuple.key, RELAYED);
      return { sent, response: actions.lastStun() };
    },
    key(credentials: ClientCredentials) {
      return longTermKey(credentials.username, credentials.realm, credentials.password);
    },
  };
}
