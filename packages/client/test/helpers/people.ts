import type { TestContext } from 'node:test';
import { RTCPeerConnection } from 'werift';
import {
  connectPeople,
  type IncomingRing,
  type People,
  type PeopleOptions,
  type SigmeshError,
} from '../../src/index.js';
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
