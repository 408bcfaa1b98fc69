/**
 * A live node's handling of mesh frames after a real handshake: a hostile node (fresh key, valid
 * signature and admission work, `test/helpers/hostile-node.ts`) that shares a room with a member
 * of the node, owns a puppet member there, and sends sequences of frames — valid ones about that
 * room (messages, rosters, beats, interests, wants, withdrawals) with JSON mutations, forged ones,
 * and mutated frames of every type. Frames are sent as text, then a ping; the pong says the node
 * has handled them. Needs sockets (loopback): its short run is in the integration tier.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import { deriveRoomHash, type PeerId } from '@sigmesh/protocol';
import { fuzzTarget } from '../lib/fuzz-target.js';
import { jsonMutation, applyJsonMutation, type JsonMutation } from '../lib/json-mutations.js';
import { jsonText, type JsonTree } from '../lib/json-tree.js';
import {
  createEphemeralIdentity,
  startNode,
  type SigmeshNode,
} from '../../packages/node/src/index.js';
import { meshCloseCodes } from '../../packages/node/src/mesh/mesh-close-codes.js';
import {
  hostileLink,
  phantomPeers,
  type HostileLink,
  type HostileOwner,
} from '../../packages/node/test/helpers/hostile-node.js';
import { joinRoom, type TestMember } from '../../packages/node/test/helpers/room-client.js';
import { asTree, base64urlOf, messageId, nodeId, peerId } from './protocol-seeds.js';
import { meshFrameText } from './mesh-frame-target.js';

const ROOM = deriveRoomHash('fuzz', 'mesh-link');

/** A frame about the shared room, made concrete (tokens, owner, puppet) when it is sent. */
type LinkFrame =
  | { readonly kind: 'raw'; readonly text: string }
  | {
      readonly kind: 'message';
      readonly data: JsonTree;
      readonly hops: number;
      readonly to: boolean;
      readonly id: string;
    }
  | { readonly kind: 'roster'; readonly members: readonly PeerId[]; readonly forge: boolean }
  | { readonly kind: 'beat' }
  | {
      readonly kind: 'interest';
      readonly ours: boolean;
      readonly remove: boolean;
      readonly token: string;
    }
  | { readonly kind: 'want'; readonly ours: boolean; readonly owner: string }
  | { readonly kind: 'withdraw'; readonly owners: readonly string[] };

const linkFrame: fc.Arbitrary<{ frame: LinkFrame; mutations: JsonMutation[] }> = fc.record({
  frame: fc.oneof(
    { weight: 3, arbitrary: meshFrameText.map((text): LinkFrame => ({ kind: 'raw', text })) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('message' as const),
        data: fc.jsonValue({ maxDepth: 3 }).map(asTree),
        hops: fc.integer({ min: 0, max: 16 }),
        to: fc.boolean(),
        id: messageId,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('roster' as const),
        members: fc.array(peerId, { maxLength: 5 }),
        forge: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'beat' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('interest' as const),
        ours: fc.boolean(),
        remove: fc.boolean(),
        token: base64urlOf(16),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('want' as const),
        ours: fc.boolean(),
        owner: nodeId,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('withdraw' as const),
        owners: fc.array(nodeId, { maxLength: 3 }),
      }),
    },
  ),
  mutations: fc.oneof(
    { weight: 3, arbitrary: fc.constant<JsonMutation[]>([]) },
    { weight: 1, arbitrary: fc.array(jsonMutation, { minLength: 1, maxLength: 2 }) },
  ),
});

/** The node under test, the member that keeps the room open on it, and the hostile link. */
interface Setup {
  readonly node: SigmeshNode;
  readonly member: TestMember;
  readonly problems: string[];
  link: HostileLink;
  owner: HostileOwner;
  puppet: PeerId;
  readonly closes: Map<number, number>;
}

let setup: Promise<Setup> | undefined;
let onUncaught: ((error: Error) => void) | undefined;

async function start(): Promise<Setup> {
  const problems: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      problems.push(`node logged: ${chunk.toString().slice(0, 500)}`);
      done();
    },
  });
  // Anything the node throws out of a socket callback ends up here instead of ending the run.
  onUncaught = (error) => problems.push(`uncaught: ${error.stack ?? String(error)}`);
  process.on('uncaughtException', onUncaught);
  const node = await startNode({
    host: '127.0.0.1',
    port: 0,
    identity: createEphemeralIdentity(),
    logger: pino({ level: 'warn' }, sink),
    dhtBootstrap: 'none',
    turnPort: -1,
    powBaseDifficulty: 1,
    meshAdmissionDifficulty: 1,
    meshFramesPerSecond: 1_000_000,
    meshOwnerMessagesPerSecond: 10_000_000,
    meshBanPoints: 1_000_000,
  });
  const member = await joinRoom(node.url(), ROOM);
  const state = { node, member, problems, closes: new Map<number, number>() };
  return { ...state, ...(await relink(node)) };
}

/** A fresh hostile link sharing the room, owning a puppet member there. */
async function relink(
  node: SigmeshNode,
): Promise<{ link: HostileLink; owner: HostileOwner; puppet: PeerId }> {
  const link = await hostileLink(node.url());
  // The node sends its interests once it has verified our auth: only then is the link open.
  await link.frame((f) => f.t === 'interest', 'the node’s interests');
  link.share(ROOM);
  const owner = link.owner();
  const [puppet] = phantomPeers(1);
  owner.roster(ROOM, [puppet!]);
  return { link, owner, puppet: puppet! };
}

/** The text of a link frame, as this link would say it, with its JSON mutations. */
function concrete(s: Setup, frame: LinkFrame, mutations: readonly JsonMutation[]): string {
  let value: unknown;
  switch (frame.kind) {
    case 'raw':
      return frame.text;
    case 'message':
      value = {
        t: 'message',
        id: frame.id,
        room: ROOM,
        from: s.puppet,
        ...(frame.to ? { to: s.member.peerId } : {}),
        data: frame.data,
        hops: frame.hops,
      };
      break;
    case 'roster': {
      const sent = s.owner.roster(ROOM, frame.forge ? [s.puppet] : [s.puppet, ...frame.members]);
      if (!frame.forge) return '{"t":"want","owner":"' + s.owner.id + '"}';
      value = { ...sent, ver: sent.ver + 1, members: [...frame.members] };
      break;
    }
    case 'beat':
      s.owner.beat();
      value = s.owner.lastBeat();
      break;
    case 'interest':
      value = {
        t: 'interest',
        add: frame.remove ? [] : [frame.ours ? s.link.token(ROOM) : frame.token],
        remove: frame.remove ? [frame.ours ? s.link.token(ROOM) : frame.token] : [],
      };
      break;
    case 'want':
      value = { t: 'want', owner: frame.ours ? s.link.nodeId : frame.owner, room: ROOM };
      break;
    case 'withdraw':
      value = { t: 'withdraw', owners: frame.owners };
      break;
  }
  return jsonText(mutations.reduce(applyJsonMutation, asTree(value)));
}

/** Resolves once the node has handled everything sent before (pong), or the link closed. */
function settled(link: HostileLink): Promise<void> {
  if (link.ws.readyState !== link.ws.OPEN) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      link.ws.off('pong', done);
      link.ws.off('close', done);
      resolve();
    };
    link.ws.once('pong', done);
    link.ws.once('close', done);
    link.ws.ping();
  });
}

/**
 * Close codes a node may end a hostile link with (anything else is a bug): a frame over the size
 * limit, a `hello` or `auth` after the handshake, invalid frames, rates, a ban.
 */
const EXPECTED_CLOSES = new Set<number>([
  meshCloseCodes.tooLarge,
  meshCloseCodes.handshake,
  meshCloseCodes.invalid,
  meshCloseCodes.rate,
  meshCloseCodes.banned,
  meshCloseCodes.slow,
]);

export const meshLinkTarget = fuzzTarget({
  name: 'mesh-link',
  covers: [
    'MeshLink frame handling after the handshake (packages/node/src/mesh/mesh-link.ts)',
    'room-frames.ts, presence-sync.ts, presence/remote-owners.ts, message-relay.ts, link-interests.ts — on a live node',
  ],
  async: true,
  inputs: fc.array(linkFrame, { minLength: 1, maxLength: 6 }),
  // Frames and a ping over loopback, handled by the node in this same process.
  maxMsPerInput: 200,
  async check(frames: { frame: LinkFrame; mutations: JsonMutation[] }[]) {
    setup ??= start();
    const s = await setup;
    for (const { frame, mutations } of frames) {
      if (s.link.ws.readyState !== s.link.ws.OPEN) break;
      s.link.ws.send(concrete(s, frame, mutations));
    }
    await settled(s.link);
    if (s.link.ws.readyState !== s.link.ws.OPEN) {
      const code = await s.link.closed;
      s.closes.set(code, (s.closes.get(code) ?? 0) + 1);
      assert.ok(EXPECTED_CLOSES.has(code), `the node closed the link with ${code}`);
      Object.assign(s, await relink(s.node));
    }
    // The member's stream keeps only what tests read: drop what arrived.
    s.member.events.splice(0);
    assert.deepEqual(s.problems, [], 'the node logged a warning or threw');
  },
  async close() {
    if (setup === undefined) return;
    const s = await setup;
    setup = undefined;
    s.link.ws.close();
    s.member.close();
    await s.node.stop();
    if (onUncaught !== undefined) process.off('uncaughtException', onUncaught);
  },
});
