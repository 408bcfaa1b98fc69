import { createHash, createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  MESH_PROTOCOL_VERSION,
  admissionText,
  anchorSigningText,
  linkKeyText,
  meshTranscript,
  rosterSigningText,
  solvePrefix,
  toBase64url,
  utf8,
  type AnchorFrame,
  type PeerId,
  type RoomHash,
  type RosterFrame,
} from '@sigmesh/protocol';
import { WebSocket } from 'ws';
import { createEphemeralIdentity, nodeCryptoSearch, type NodeIdentity } from '../../src/index.js';
import { BeatChain } from '../../src/mesh/presence/hash-chain.js';
import { rosterDigest } from '../../src/mesh/presence/roster-digest.js';
import { waitFor } from './wait-for.js';

/** A frame as the hostile node received it. */
export type SeenFrame = Record<string, unknown> & { t: string };

/**
 * A hostile node with a real handshake: a fresh ed25519 key, valid signatures and admission work,
 * then whatever frames a test sends — forged, oversized, repeated, at full speed. It keeps every
 * frame the node sends it, and can be an owner of its own (anchor, beats, signed rosters).
 */
export interface HostileLink {
  readonly identity: NodeIdentity;
  readonly ws: WebSocket;
  readonly frames: SeenFrame[];
  /** The node's id (from its hello). */
  readonly nodeId: string;
  /** Resolves with the close code once the node closes the link. */
  readonly closed: Promise<number>;
  /** The close code, or a rejection naming what was seen if the node keeps the link for `ms`. */
  closedWithin(ms?: number): Promise<number>;
  send(frame: unknown): void;
  /** The blinded token of `room` on this link (only a node that can name the room can make it). */
  token(room: RoomHash): string;
  /** Announces rooms as ours (so they become shared if the node has them). */
  share(...rooms: RoomHash[]): void;
  /** Resolves with the first received frame matching `match` (already received ones count). */
  frame(match: (frame: SeenFrame) => boolean, what: string, ms?: number): Promise<SeenFrame>;
  /** Our own owner identity on this link: signs an anchor and rosters as `owner` (default: us). */
  owner(owner?: NodeIdentity): HostileOwner;
}

/** A presence owner the hostile node speaks for (itself, or a key it made up). */
export interface HostileOwner {
  readonly id: string;
  readonly anchor: AnchorFrame;
  /** The next beat (valid chain value), sent. */
  beat(): void;
  /** The last beat sent, as a frame (for replays). */
  lastBeat(): unknown;
  /** A signed roster at a fresh version, sent (returned for replays). */
  roster(room: RoomHash, members: readonly PeerId[]): RosterFrame;
}

/** Links to `url`'s /mesh as a stranger with a fresh key and completes the handshake. */
export async function hostileLink(
  url: string,
  options: { identity?: NodeIdentity; payAdmission?: boolean; nonce?: string } = {},
): Promise<HostileLink> {
  const identity = options.identity ?? createEphemeralIdentity();
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/mesh`, { maxPayload: 1 << 26 });
  const frames: SeenFrame[] = [];
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as SeenFrame));
  ws.on('error', () => undefined);
  await once(ws, 'open');
  const nonce = options.nonce ?? randomNonce();
  const send = (frame: unknown): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  send({
    t: 'hello',
    node: identity.id,
    nonce,
    url: 'http://127.0.0.1:9',
    version: 'hostile',
    proto: MESH_PROTOCOL_VERSION,
    admit: 0,
  });
  const find = async (
    match: (frame: SeenFrame) => boolean,
    what: string,
    ms = 5000,
  ): Promise<SeenFrame> => {
    await waitFor(() => frames.some(match), what, ms);
    return frames.find(match)!;
  };
  const hello = (await find((f) => f.t === 'hello', 'the node’s hello')) as SeenFrame & {
    node: string;
    nonce: string;
    admit: number;
  };
  const sig = toBase64url(
    identity.sign(utf8(meshTranscript(hello.nonce, nonce, identity.id, hello.node))),
  );
  let work: number | undefined;
  if (hello.admit > 0 && options.payAdmission !== false) {
    const prefix = createHash('sha256').update(admissionText(hello.nonce, identity.id)).digest();
    work = await solvePrefix(prefix, hello.admit, { search: nodeCryptoSearch });
  }
  send(work === undefined ? { t: 'auth', sig } : { t: 'auth', sig, work });
  const key = createHash('sha256').update(linkKeyText(nonce, hello.nonce)).digest();
  const token = (room: RoomHash): string =>
    createHmac('sha256', key).update(room).digest().subarray(0, 16).toString('base64url');
  return {
    identity,
    ws,
    frames,
    nodeId: hello.node,
    closed,
    send,
    token,
    share: (...rooms) => send({ t: 'interest', add: rooms.map(token), remove: [] }),
    closedWithin: (ms = 10_000) =>
      Promise.race([
        closed,
        new Promise<number>((_, reject) =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `the node kept the link ${ms} ms; it sent ${frames.map((f) => f.t).join(',')}`,
                ),
              ),
            ms,
          ).unref(),
        ),
      ]),
    frame: find,
    owner: (owner = identity) => makeOwner(owner, send),
  };
}

function makeOwner(identity: NodeIdentity, send: (frame: unknown) => void): HostileOwner {
  const chain = new BeatChain(1000);
  const epoch = randomBytes(8).toString('hex');
  const fields = {
    owner: identity.id,
    epoch,
    started: Date.now(),
    chain: 0,
    root: toBase64url(chain.root),
    length: chain.length,
    interval: 1000,
  };
  const anchor: AnchorFrame = {
    t: 'anchor',
    ...fields,
    sig: toBase64url(identity.sign(utf8(anchorSigningText(fields)))),
  };
  send(anchor);
  let index = 0;
  let ver = Date.now();
  const beatFrame = (): unknown => ({
    t: 'beats',
    beats: [{ owner: identity.id, epoch, chain: 0, i: index, h: toBase64url(chain.value(index)) }],
  });
  const beat = (): void => {
    index++;
    send(beatFrame());
  };
  beat();
  return {
    id: identity.id,
    anchor,
    beat,
    lastBeat: beatFrame,
    roster(room, members) {
      ver++;
      const text = rosterSigningText(room, identity.id, epoch, ver, rosterDigest(members));
      const frame: RosterFrame = {
        t: 'roster',
        room,
        owner: identity.id,
        epoch,
        ver,
        members,
        part: 0,
        parts: 1,
        sig: toBase64url(identity.sign(utf8(text))),
      };
      send(frame);
      return frame;
    },
  };
}

/** A fresh hello nonce (32 random bytes): between two links of one dialer the lower one stays. */
export function randomNonce(): string {
  return toBase64url(randomBytes(32));
}

/** `count` random peer ids. */
export function phantomPeers(count: number): PeerId[] {
  return Array.from({ length: count }, () => randomBytes(16).toString('hex') as PeerId);
}
