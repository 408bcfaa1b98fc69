/**
 * Building responses (RFC 8489 §6.3): same method and transaction id as the request, SOFTWARE,
 * then MESSAGE-INTEGRITY when the request was authenticated and FINGERPRINT always.
 */
import { errorCode } from './attributes/error-code.js';
import { software as softwareAttribute } from './attributes/software.js';
import { encodeSignedMessage } from './stun-integrity.js';
import type { AttributeInput, StunMessage } from './stun-message.js';

/** RFC 8489 §14.8 and RFC 8656 §18.11 reason phrases for the codes this server sends. */
export const STUN_REASONS = {
  300: 'Try Alternate',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  420: 'Unknown Attribute',
  437: 'Allocation Mismatch',
  438: 'Stale Nonce',
  440: 'Address Family not Supported',
  441: 'Wrong Credentials',
  442: 'Unsupported Transport Protocol',
  443: 'Peer Address Family Mismatch',
  486: 'Allocation Quota Reached',
  500: 'Server Error',
  508: 'Insufficient Capacity',
} as const;

/** A STUN error code this server sends. */
export type StunErrorCode = keyof typeof STUN_REASONS;

/** A success response to `request`. */
export function successResponse(
  request: StunMessage,
  attributes: readonly AttributeInput[],
  key: Uint8Array | undefined,
  software: string,
): Uint8Array {
  const all =
    software === ''
      ? attributes
      : [
          ...attributes,
          {
            type: softwareAttribute.type,
            value: softwareAttribute.encode(software, request.transactionId),
          },
        ];
  return encodeSignedMessage(
    {
      method: request.method,
      cls: 'success',
      transactionId: request.transactionId,
      attributes: all,
    },
    { key },
  );
}

/** An error response to `request` with `code`, extra attributes first (RFC 8489 §6.3.4). */
export function errorResponse(
  request: StunMessage,
  code: StunErrorCode,
  attributes: readonly AttributeInput[],
  key: Uint8Array | undefined,
  software: string,
): Uint8Array {
  const all: AttributeInput[] = [
    {
      type: errorCode.type,
      value: errorCode.encode({ code, reason: STUN_REASONS[code] }, request.transactionId),
    },
    ...attributes,
  ];
  if (software !== '')
    all.push({
      type: softwareAttribute.type,
      value: softwareAttribute.encode(software, request.transactionId),
    });
  return encodeSignedMessage(
    { method: request.method, cls: 'error', transactionId: request.transactionId, attributes: all },
    { key },
  );
}
