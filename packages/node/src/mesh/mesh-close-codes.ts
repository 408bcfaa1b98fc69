import type { ErrorCode } from '@sigmesh/protocol';

/** WebSocket close codes of mesh links (RFC 6455 §7.4.2: 4000–4999 are ours). */
export const meshCloseCodes = {
  normal: 1000,
  tooLarge: 1009,
  handshake: 4001,
  invalid: 4002,
  linkLimit: 4003,
  refused: 4004,
  evicted: 4005,
  rate: 4008,
  duplicate: 4009,
  slow: 4010,
  silent: 4011,
  banned: 4012,
} as const;

/** The error code logged for a close code, when the close was the other node's fault. */
export function closeCodeError(code: number): ErrorCode | undefined {
  switch (code) {
    case meshCloseCodes.tooLarge:
      return 'MESH_FRAME_TOO_LARGE';
    case meshCloseCodes.handshake:
      return 'MESH_HANDSHAKE_FAILED';
    case meshCloseCodes.invalid:
      return 'MESH_FRAME_INVALID';
    case meshCloseCodes.linkLimit:
    case meshCloseCodes.evicted:
      return 'MESH_LINK_LIMIT';
    case meshCloseCodes.refused:
    case meshCloseCodes.banned:
      return 'MESH_NODE_REFUSED';
    case meshCloseCodes.rate:
      return 'MESH_RATE_LIMITED';
    case meshCloseCodes.duplicate:
      return 'MESH_DUPLICATE_LINK';
    case meshCloseCodes.silent:
      return 'MESH_LINK_SILENT';
    default:
      return undefined;
  }
}
