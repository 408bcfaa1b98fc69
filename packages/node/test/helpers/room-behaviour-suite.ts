import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { deriveRoomHash } from '@sigmesh/protocol';
import { joinRoom, type TestMember } from './room-client.js';
import { waitFor } from './wait-for.js';

/** A topology: base URLs members join through (member i uses urls[i % urls.length]). */
export type Topology = (t: TestContext) => Promise<readonly string[]>;

/**
 * The room behaviours every topology must show, whatever the number of nodes (after Trystero's
 * runTests(strategy)). Each member joins through the next node in turn.
 */
export function roomBehaviourSuite(name: string, topology: Topology): void {
  async function members(
    t: TestContext,
    count: number,
    room = deriveRoomHash('suite', name),
  ): Promise<TestMember[]> {
    const urls = await topology(t);
    const joined: TestMember[] = [];
    for (let i = 0; i < count; i++) joined.push(await joinRoom(urls[i % urls.length]!, room));
    t.after(() => joined.forEach((member) => member.close()));
    // Everyone sees everyone before a scenario starts.
    await waitFor(
      () =>
        joined.every((m) =>
          joined.every(
            (o) => o === m || m.welcome.members.includes(o.peerId) || m.joins().includes(o.peerId),
          ),
        ),
      'full presence',
    );
    return joined;
  }

  test(`${name}: a broadcast reaches every other member exactly once`, async (t) => {
    const [a, b, c] = await members(t, 3);
    await a!.post('to all');
    for (const member of [b!, c!]) {
      await member.next('message');
      assert.deepEqual(
        member.messages().map((m) => m.data),
        ['to all'],
      );
    }
    await b!.post('marker');
    await a!.next('message');
    assert.deepEqual(
      a!.messages().map((m) => m.data),
      ['marker'],
      'no echo of its own broadcast, no duplicate',
    );
  });

  test(`${name}: an addressed message reaches only its addressee`, async (t) => {
    const [a, b, c] = await members(t, 3);
    await a!.post('psst', c!.peerId);
    await c!.next('message');
    await a!.post('marker');
    await b!.next('message');
    assert.deepEqual(
      b!.messages().map((m) => m.data),
      ['marker'],
    );
    assert.equal(c!.messages()[0]!.to, c!.peerId);
  });

  test(`${name}: leaving is seen by everyone`, async (t) => {
    const [a, b, c] = await members(t, 3);
    c!.close();
    await waitFor(
      () => a!.leaves().includes(c!.peerId) && b!.leaves().includes(c!.peerId),
      'c’s leave everywhere',
    );
  });

  test(`${name}: other rooms hear nothing`, async (t) => {
    const [a] = await members(t, 2);
    const [outsider] = await members(t, 1, deriveRoomHash('suite', `${name}-other`));
    await a!.post('private');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(outsider!.messages().length, 0);
  });
}
