// A WebTorrent-style page: bittorrent-tracker's own browser client (bundled) announces to one
// WebSocket tracker with WebRTC offers (simple-peer, non-trickle) and answers relayed offers.
import { Client as TrackerClient } from 'bittorrent-tracker';
import { readPageConfig } from './page-config.js';
import { mark } from './page-marks.js';

mark('script-start');
const config = readPageConfig('tracker');
const peerId = [...crypto.getRandomValues(new Uint8Array(20))]
  .map((byte) => byte.toString(16).padStart(2, '0'))
  .join('');
// No ICE servers: on one machine host candidates are all either side needs, and the baseline
// should be the least a tracker page has to do (WebTorrent's default public STUN servers would
// only add gathering time).
const client = new TrackerClient({
  infoHash: config.infoHash,
  peerId,
  announce: [config.tracker],
  rtcConfig: { iceServers: [] },
});
client.on('peer', (peer) => {
  mark('peer');
  peer.on('connect', () => mark('peer-connect'));
  peer.on('error', (error) => mark('error', error.message));
});
client.on('error', (error) => mark('error', error.message));
client.on('warning', (error) => mark('warning', error.message));
client.start({ numwant: config.offers });
