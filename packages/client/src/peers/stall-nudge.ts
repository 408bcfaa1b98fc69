/**
 * What to do for a negotiation whose data channel has not opened yet (an offer, answer or
 * candidates may have been lost on the way through the nodes). Nudge 1 comes 8 s after the peer
 * appeared (11 s on the polite side, so both seldom nudge at once), each next one twice as long
 * after the previous, up to {@link STALL_NUDGES}; the peer is given up as long again after the last.
 */
const STALL_FIRST_MS = 8000;
const STALL_POLITE_EXTRA_MS = 3000;
export const STALL_NUDGES = 4;

/** Milliseconds before nudge `attempt` (1-based; `STALL_NUDGES + 1` is the give-up). */
export function nudgeDelayMs(attempt: number, polite: boolean): number {
  if (attempt === 1) return STALL_FIRST_MS + (polite ? STALL_POLITE_EXTRA_MS : 0);
  return STALL_FIRST_MS * 2 ** (attempt - 1);
}

/** The state a nudge looks at. */
export interface StallState {
  readonly signalingState: RTCSignalingState;
  readonly connectionState: RTCPeerConnectionState;
  readonly hasRemoteDescription: boolean;
  readonly makingOffer: boolean;
  /** Nothing of ours to this peer waits to be posted or is being posted. */
  readonly signalsIdle: boolean;
}

/**
 * `resend-offer`: our offer still waits for its answer (the local description carries the
 * candidates gathered since). `restart-ice`: both descriptions applied but no route (a new offer,
 * new candidates). `offer`: nothing offered yet. `wait`: an offer is being made, the connection is
 * up, or our earlier signals are still being posted — slow (a priced-up member on a busy node),
 * not lost: sending them again would only add posts.
 */
export type NudgeAction = 'resend-offer' | 'restart-ice' | 'offer' | 'wait';

export function nudgeAction(state: StallState): NudgeAction {
  if (state.makingOffer || state.connectionState === 'connected' || !state.signalsIdle)
    return 'wait';
  if (state.signalingState === 'have-local-offer') return 'resend-offer';
  if (state.signalingState !== 'stable') return 'wait';
  return state.hasRemoteDescription ? 'restart-ice' : 'offer';
}
