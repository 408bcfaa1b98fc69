/** Every fuzz target, in the order the campaign runs them (see docs/security.md § Fuzzing). */
import type { FuzzTarget } from '../lib/fuzz-target.js';
import { clientSignalsTarget, peerFramesTarget } from './client-signal-targets.js';
import { inboxMessagesTarget, inboxProofAndNotesTarget } from './inbox-targets.js';
import { dhtItemsTarget, nodeDescriptorTarget } from './dht-targets.js';
import { meshLinkTarget } from './mesh-link-target.js';
import { meshFrameTarget } from './mesh-frame-target.js';
import { nodeDocumentsTarget } from './node-document-targets.js';
import { powHeadersTarget, powTokenTarget } from './pow-targets.js';
import { roomPostTarget } from './room-post-target.js';
import { payloadCodecTarget } from './payload-codec-target.js';
import { roomEventsTarget, sseStreamTarget } from './sse-targets.js';
import { turnCoreTarget } from './turn-core-target.js';
import { streamFramerTarget } from './stream-framer-target.js';
import { channelDataTarget, stunAttributeTarget, stunMessageTarget } from './turn-codec-targets.js';

export const allTargets: readonly FuzzTarget<unknown>[] = [
  stunMessageTarget,
  stunAttributeTarget,
  channelDataTarget,
  streamFramerTarget,
  turnCoreTarget,
  roomPostTarget,
  powTokenTarget,
  powHeadersTarget,
  nodeDocumentsTarget,
  sseStreamTarget,
  roomEventsTarget,
  meshFrameTarget,
  meshLinkTarget,
  dhtItemsTarget,
  nodeDescriptorTarget,
  clientSignalsTarget,
  peerFramesTarget,
  payloadCodecTarget,
  inboxMessagesTarget,
  inboxProofAndNotesTarget,
];
