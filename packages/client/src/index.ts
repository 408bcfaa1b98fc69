// The public API of @sigmesh/client. docs/client.md is the reference, with examples.
export { joinRoom, joinRoomDefaults, type JoinRoomOptions } from './join-room.js';
export { Room, type AddStreamOptions, type PeerInfo, type RoomEvents } from './room.js';
export type { ConnectionRoute } from './peers/connection-route.js';
export type { SignalingStats } from './signaling/room-signaling.js';
export type { NodeStorage } from './nodes/node-memory.js';
export { createPowSolver, type PowSolver } from './pow/pow-solver.js';
export { Identity, type IdentityKeys } from './identity/identity.js';
export type { IdentityStore } from './identity/identity-store.js';
export {
  loadOrCreateIdentity,
  importIdentity,
  defaultIdentityStore,
  type LoadOrCreateIdentityOptions,
  type ImportIdentityOptions,
} from './identity/load-or-create-identity.js';
export { verifySignature } from './identity/verify-signature.js';
export { indexedDbIdentityStore } from './identity/indexeddb-identity-store.js';
export { fileIdentityStore } from './identity/file-identity-store.js';
export { memoryIdentityStore } from './identity/memory-identity-store.js';
export { peerIdentityOf, type PeerIdentity } from './identity/peer-identity.js';
export { SigmeshError, deriveRoomHash, type ClientId, type ErrorCode } from '@sigmesh/protocol';
export {
  connectPeople,
  People,
  type ContactRequest,
  type PeerPresence,
  type PeopleEvents,
} from './people/people.js';
export { contactLink, parseContactLink, type ContactCard } from './people/contact-link.js';
export type { MissedCall } from './people/missed-notes.js';
export { peopleDefaults, type PeopleOptions } from './people/people-options.js';
export { Call } from './people/call.js';
export {
  IncomingRing,
  type AnswerOptions,
  type IncomingRingEvents,
} from './people/incoming-ring.js';
export type { CallOptions } from './people/outgoing-call.js';
export type { InboxSigner } from './people/inbox-signing.js';
export { privateInboxAddress, type PrivateInboxAddress } from './people/private-inbox.js';
export type { Reach } from './people/people-context.js';
