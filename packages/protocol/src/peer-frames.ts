import { parseSignals, type PeerSignal } from './client-signals.js';
import { isRecord, parsed, rejected, type ParseResult } from './parse-result.js';

// Text frames two `@sigmesh/client` peers exchange on their own data channel (label `sigmesh`,
// negotiated id 0), once it is open. Binary frames carry application bytes as they are.

/** Later negotiation (tracks, renegotiation, ICE restart) without touching any node. */
export interface SignalFrame {
  readonly t: 'signal';
  readonly signals: readonly PeerSignal[];
}

/** An application message sent with `room.send(data)`: any JSON value. */
export interface MessageFrame {
  readonly t: 'message';
  readonly data: unknown;
}

/** Announces the application metadata of a stream before its tracks arrive. */
export interface StreamFrame {
  readonly t: 'stream';
  /** `MediaStream.id` of the sender's stream (the SDP msid). */
  readonly stream: string;
  readonly metadata: unknown;
}

/** The sender left the room on purpose: close at once, no ICE restart. */
export interface ByeFrame {
  readonly t: 'bye';
}

export type PeerFrame = SignalFrame | MessageFrame | StreamFrame | ByeFrame;

/** Parses a text frame from a peer. */
export function parsePeerFrame(text: string): ParseResult<PeerFrame> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return rejected('BAD_JSON', 'a peer frame is not JSON');
  }
  if (!isRecord(value)) return rejected('BAD_REQUEST', 'a peer frame must be an object');
  switch (value.t) {
    case 'signal': {
      const signals = parseSignals(value.signals);
      return signals.ok ? parsed({ t: 'signal', signals: signals.value }) : signals;
    }
    case 'message':
      return 'data' in value
        ? parsed({ t: 'message', data: value.data })
        : rejected('BAD_REQUEST', 'a message frame needs data');
    case 'stream':
      if (typeof value.stream !== 'string' || value.stream.length > 256)
        return rejected('BAD_REQUEST', 'a stream frame needs a stream id');
      return parsed({ t: 'stream', stream: value.stream, metadata: value.metadata ?? null });
    case 'bye':
      return parsed({ t: 'bye' });
    default:
      return rejected('BAD_REQUEST', 'unknown peer frame type');
  }
}
