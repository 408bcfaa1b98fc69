/**
 * The RTCIceServer list handed to browsers (W3C WebRTC §4.2.1 RTCIceServer; URI syntax of
 * RFC 7064 `stun:` and RFC 7065 `turn:` with `?transport=`), ready for
 * `new RTCPeerConnection({ iceServers })`.
 */
import type { TurnCredentials } from './rest-credentials.js';

/** The fields of RTCIceServer that sigmesh fills (DOM types are not available in Node). */
export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** The `/token` answer: servers plus how long the credentials last. */
export interface IceServerList {
  readonly iceServers: readonly IceServer[];
  readonly ttl: number;
}

/** Input of {@link buildIceServers}. */
export interface BuildIceServersInput {
  /** Host name or IP literal clients should use (IPv6 without brackets is fine). */
  readonly host: string;
  readonly port: number;
  readonly credentials: TurnCredentials;
  /** Transports to list `turn:` URLs for (default both). */
  readonly transports?: readonly ('udp' | 'tcp')[];
}

/** A STUN URL (no credentials) and TURN URLs per transport (with the credentials). */
export function buildIceServers(input: BuildIceServersInput): IceServerList {
  const host =
    input.host.includes(':') && !input.host.startsWith('[') ? `[${input.host}]` : input.host;
  const transports = input.transports ?? ['udp', 'tcp'];
  return {
    iceServers: [
      { urls: [`stun:${host}:${input.port}`] },
      {
        urls: transports.map((transport) => `turn:${host}:${input.port}?transport=${transport}`),
        username: input.credentials.username,
        credential: input.credentials.credential,
      },
    ],
    ttl: input.credentials.ttl,
  };
}
