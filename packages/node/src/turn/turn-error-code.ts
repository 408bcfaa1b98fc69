/** The sigmesh error codes the TURN server counts its rejections under (protocol's catalog). */
import { errorCatalog, type ErrorCode } from '@sigmesh/protocol';

/** A TURN_* code from the catalog. */
export type TurnErrorCode = Extract<ErrorCode, `TURN_${string}`>;

/** Every TURN code with a zero count. */
export function zeroTurnCounts(): Record<TurnErrorCode, number> {
  const counts: Partial<Record<TurnErrorCode, number>> = {};
  for (const code of Object.keys(errorCatalog)) {
    if (code.startsWith('TURN_')) counts[code as TurnErrorCode] = 0;
  }
  return counts as Record<TurnErrorCode, number>;
}
