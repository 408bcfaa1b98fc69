/** What a shared link (`/app/#room=NAME&pw=1`) says. The password itself never goes in a link. */
export interface RoomLink {
  readonly room: string;
  /** The room has a password: ask for it before joining. */
  readonly passwordNeeded: boolean;
}

/** Reads `location.hash`; a missing or empty room gives `room: ''`. */
export function parseRoomLink(hash: string): RoomLink {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  return {
    room: (params.get('room') ?? '').trim().slice(0, MAX_ROOM_LENGTH),
    passwordNeeded: params.get('pw') === '1',
  };
}

/** The hash for a room link, e.g. `#room=team%20sync&pw=1`. */
export function roomLinkHash(link: RoomLink): string {
  const params = new URLSearchParams({ room: link.room });
  if (link.passwordNeeded) params.set('pw', '1');
  return `#${params.toString()}`;
}

/** Room names longer than this are cut (the client accepts up to 1024). */
export const MAX_ROOM_LENGTH = 200;
