import { createHash } from 'node:crypto';
import { rosterDigestText } from '@sigmesh/protocol';

/** SHA-256 (hex) of a member set as the owner signs it (protocol `rosterDigestText`). */
export function rosterDigest(members: Iterable<string>): string {
  return createHash('sha256').update(rosterDigestText(members)).digest('hex');
}
