import { deriveRoomHash, isRoomHash, type RoomHash } from '@sigmesh/protocol';

/** The app id rooms given by name are derived under, unless --app says otherwise. */
export const DEFAULT_APP_ID = 'sigmesh';

/** A ROOM argument: a 40-hex room hash as is, or a room name derived under `appId`. */
export function roomFromArgument(text: string, appId: string): RoomHash {
  return isRoomHash(text) ? text : deriveRoomHash(appId, text);
}

/** A NODE_URL argument without its trailing slash; undefined when it is not an http(s) URL. */
export function nodeUrlFromArgument(text: string): string | undefined {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.toString().replace(/\/$/, '');
  } catch {
    return undefined;
  }
}
