import type { TestContext } from 'node:test';
import { RTCPeerConnection } from 'werift';
import {
  connectPeople,
  type IncomingRing,
  type InboxSigner,
  type People,
  type PeopleOptions,
  type SigmeshError,
} from '../../src/index.js';
import { NodeMemory } from '../../src/nodes/node-memory.js';
import { NodePool } from '../../src/nodes/node-pool.js';
import type { PeopleContext } from '../../src/people/people-context.js';
import { createPowSolver } from '../../src/pow/pow-solver.js';
import { testSigner } from './test-signer.js';
import { memoryStorage } from './werift-client.js';

/** A person (werift, no TURN, one inbox node) on `node`, closed when the test ends. */
export async function person(
  t: TestContext,
  node: string,
  options: Partial<PeopleOptions> = {},
): Promise<People> {
  const people = await connectPeople({
    appId: 'people-test',
    nodes: [node],
    identity: options.identity ?? (await testSigner()),
    storage: memoryStorage(),
    rtc: { RTCPeerConnection },
    rtcConfiguration: { iceAdditionalHostAddresses: ['127.0.0.1'] },
    turn: false,
    inboxNodes: 1,
    ...options,
  });
  t.after(() => people.close());
  return people;
}

export function nextRing(people: People, ms = 20_000): Promise<IncomingRing> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ring within ${ms} ms`)), ms);
    const off = people.on('ring', (ring) => {
      clearTimeout(timer);
      off();
      resolve(ring);
    });
  });
}

export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as SigmeshError).code ?? String(error);
  }
  return 'resolved';
}

export async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A caller's context without an inbox of its own (`ringMs` 3 s unless given); with `addressee`,
 * every message is signed for that key instead of the one it is posted to (a ring meant for
 * someone else).
 */
export async function callerContext(
  t: TestContext,
  node: string,
  identity: InboxSigner,
  options: { addressee?: string; ringMs?: number } = {},
): Promise<PeopleContext> {
  const solver = createPowSolver();
  t.after(() => solver.close());
  const signer: InboxSigner =
    options.addressee === undefined
      ? identity
      : {
          publicKey: identity.publicKey,
          sign: (bytes) => {
            const text = new TextDecoder().decode(bytes);
            const fields = JSON.parse(text.slice(text.indexOf('\n') + 1)) as unknown[];
            fields[3] = options.addressee;
            const head = text.slice(0, text.indexOf('\n') + 1);
            return identity.sign(new TextEncoder().encode(head + JSON.stringify(fields)));
          },
        };
  return {
    identity: signer,
    name: undefined,
    pool: new NodePool({
      nodes: [node],
      memory: new NodeMemory(memoryStorage()),
      solver,
      probeTimeoutMs: 3000,
      maxProbes: 8,
      maxPowDifficulty: 1 << 22,
    }),
    solver,
    ringMs: options.ringMs ?? 3000,
    joinTimeoutMs: 15_000,
    maxPowDifficulty: 1 << 22,
    missedNotes: false,
    joinCall: () => Promise.reject(new Error('no call room in this test')),
  };
}
