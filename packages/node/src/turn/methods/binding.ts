/**
 * Binding (RFC 8489 §3, §6.3.1): answer with the client's reflexive address. No authentication;
 * MAPPED-ADDRESS is added for RFC 3489-era clients.
 */
import { mappedAddress } from '../attributes/mapped-address.js';
import { xorMappedAddress } from '../attributes/xor-mapped-address.js';
import { attr } from '../attribute-reader.js';
import type { TurnHandler } from '../turn-context.js';

export const handleBinding: TurnHandler = (context, request) => {
  const id = request.message.transactionId;
  context.sendSuccess(
    request,
    [
      attr(xorMappedAddress, request.tuple.client, id),
      attr(mappedAddress, request.tuple.client, id),
    ],
    undefined,
  );
};
