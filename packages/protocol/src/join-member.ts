import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from './encoding.js';
import type { PeerId } from './limits.js';

/** Domain separation: this hash names a member, it is not the PoW's own. */
const MEMBER_ID_DOMAIN = 'sigmesh-member:v1\n';

/**
 * The member id a node assigns to a join paid with `token` (the `pow` query parameter of
 * `GET /room/HASH`): hex(SHA-256("sigmesh-member:v1\n" ‖ token))[0:32].
 *
 * The joining client can compute it before the welcome, so it can sign its first hello
 * (`helloTranscript(room, member, node)`) and send it inside the join. Nobody else can claim
 * the id: a node admits a challenge once (its replay set), so one token makes one member, and
 * a different token with the same id is a 128-bit preimage (docs/security.md § Hello in the join).
 */
export function joinMemberId(token: string): PeerId {
  return toHex(sha256(utf8(MEMBER_ID_DOMAIN + token)).subarray(0, 16)) as PeerId;
}
