import {
  bep44Signable,
  encodeDhtItem,
  encodeMissedCallNote,
  fromBase64url,
  fromHex,
  MAX_NOTED_CALLS,
  missedNoteSalt,
  parseDhtGetResult,
  parseMissedCallNote,
  toBase64url,
  toHex,
  utf8,
  type MissedCallNote,
} from '@sigmesh/protocol';
import { readJson, request } from '../nodes/node-http.js';
import { probedOffer, type ProbedNode } from '../nodes/node-pool.js';
import { paidRequest, postPaid } from '../nodes/paid-request.js';
import { verifySignature } from '../identity/verify-signature.js';
import type { PeopleContext } from './people-context.js';
import type { PrivateInboxAddress } from './private-inbox.js';

/** A call nobody answered: rung while the callee listened, or noted for it in the DHT. */
export interface MissedCall {
  readonly from: string;
  readonly name: string | undefined;
  readonly at: number;
  readonly call: string;
}

/** A note as read from the DHT, its signature checked. */
interface ReadNote {
  readonly seq: number;
  readonly note: MissedCallNote;
}

/** How long one DHT request may take, PoW included. */
const DHT_TIMEOUT_MS = 15_000;

/**
 * Adds `call` to this caller's missed-call note for `callee` (a BEP 44 item under the caller's
 * key, salted for the callee), keeping the last {@link MAX_NOTED_CALLS}. Through one node.
 */
export async function leaveMissedNote(
  ctx: PeopleContext,
  callee: string,
  call: string,
  at: number,
  hidden?: PrivateInboxAddress,
): Promise<void> {
  const node = await firstNode(ctx);
  const k = fromBase64url(ctx.identity.publicKey)!;
  const { salt, to } = noteAddress(callee, hidden);
  const current = await readNote(ctx, node, k, salt);
  const earlier = current?.note.to === to ? current.note.calls : [];
  const note: MissedCallNote = {
    v: 1,
    to,
    ...(ctx.name === undefined ? {} : { name: ctx.name }),
    calls: [...earlier.filter((noted) => noted.call !== call), { call, at }].slice(
      -MAX_NOTED_CALLS,
    ),
  };
  const v = encodeMissedCallNote(note);
  const seq = (current?.seq ?? 0) + 1;
  const sig = await ctx.identity.sign(bep44Signable(salt, seq, v));
  const body = JSON.stringify(encodeDhtItem({ k, salt, seq, v, sig }));
  await postPaid(`${node.url}/dht-put`, body, probedOffer(node, 'dht-put'), ctx.solver, {
    deadline: Date.now() + DHT_TIMEOUT_MS,
    signal: AbortSignal.timeout(DHT_TIMEOUT_MS),
    maxDifficulty: ctx.maxPowDifficulty,
  });
}

/**
 * The calls `callers` noted for `self` since `since` (Unix ms), newest last. A note that does not
 * verify, is for someone else, or cannot be read is skipped.
 */
export async function readMissedCalls(
  ctx: PeopleContext,
  callers: readonly string[],
  since: number,
  hidden?: PrivateInboxAddress,
): Promise<MissedCall[]> {
  const node = await firstNode(ctx);
  const addresses = [noteAddress(ctx.identity.publicKey, undefined)];
  if (hidden !== undefined) addresses.push(noteAddress(ctx.identity.publicKey, hidden));
  const found = await Promise.all(
    callers.flatMap((caller) =>
      addresses.map(async ({ salt, to }) => {
        const k = fromBase64url(caller);
        if (k?.length !== 32) return [];
        const read = await readNote(ctx, node, k, salt).catch(() => undefined);
        if (read === undefined || read.note.to !== to) return [];
        return read.note.calls
          .filter((noted) => noted.at > since)
          .map((noted) => ({ from: caller, name: read.note.name, ...noted }));
      }),
    ),
  );
  const calls = new Map(found.flat().map((missed) => [`${missed.from}/${missed.call}`, missed]));
  return [...calls.values()].sort((a, b) => a.at - b.at);
}

/**
 * Where a caller's note for a callee lives: salted for the callee's key and addressed to it, or —
 * for a call through a private inbox — salted for its seal secret and addressed to the private
 * inbox's key, so the note links the caller to a pseudonym only.
 */
function noteAddress(
  callee: string,
  hidden: PrivateInboxAddress | undefined,
): { salt: Uint8Array; to: string } {
  if (hidden === undefined) return { salt: missedNoteSalt(fromBase64url(callee)!), to: callee };
  return { salt: missedNoteSalt(fromBase64url(hidden.seal)!), to: hidden.key };
}

/** The item under `k` and `salt`, verified by us (a node could lie); undefined when none. */
async function readNote(
  ctx: PeopleContext,
  node: ProbedNode,
  k: Uint8Array,
  salt: Uint8Array,
): Promise<ReadNote | undefined> {
  const key = toHex(k);
  const saltText = toBase64url(salt);
  const url = `${node.url}/dht-get?k=${key}&salt=${saltText}`;
  let response: Response;
  try {
    response = await paidRequest(
      (token) =>
        request(url, {
          headers: {
            accept: 'application/json',
            ...(token === undefined ? {} : { authorization: `PoW ${token}` }),
          },
          signal: AbortSignal.timeout(DHT_TIMEOUT_MS),
        }),
      utf8(`${key}\n${saltText}`),
      probedOffer(node, 'dht-get'),
      ctx.solver,
      { deadline: Date.now() + DHT_TIMEOUT_MS, maxDifficulty: ctx.maxPowDifficulty },
    );
  } catch (error) {
    if ((error as { code?: string }).code === 'DHT_NOT_FOUND') return undefined;
    throw error;
  }
  const result = parseDhtGetResult(await readJson(response));
  if (!result.ok) return undefined;
  const v = fromBase64url(result.value.v);
  const sig = fromHex(result.value.sig);
  if (v === undefined || sig === undefined) return undefined;
  const signed = bep44Signable(salt, result.value.seq, v);
  if (!(await verifySignature(toBase64url(k), signed, sig))) return undefined;
  const note = parseMissedCallNote(v);
  return note.ok ? { seq: result.value.seq, note: note.value } : undefined;
}

async function firstNode(ctx: PeopleContext): Promise<ProbedNode> {
  const [node] = await ctx.pool.rank(new Set(), undefined, true);
  if (node === undefined) throw new Error('no node'); // rank rejects when none fits.
  return node;
}
