import type { TrackerScrape, TrackerScrapeFile } from '@sigmesh/protocol';
import type { Tracker } from './tracker.js';
import type { TrackerConnection } from './tracker-connection.js';

/**
 * A scrape of the listed info hashes (a full scrape is refused by the parser). Counts are the
 * whole swarm's, across nodes, for swarms this node has peers in; a swarm with no peer here is
 * unknown to this node and reported empty (bittorrent-tracker reports unknown hashes as zeros).
 */
export function handleScrape(
  tracker: Tracker,
  connection: TrackerConnection,
  request: TrackerScrape,
): void {
  const now = tracker.now();
  const scale = tracker.admission.scale();
  const first = request.infoHashes[0];
  if (!connection.announces.take(1, now, scale)) {
    connection.refuse(
      'scrape',
      first,
      'TRACKER_RATE_LIMITED',
      'too many requests from this connection',
    );
    return;
  }
  if (!connection.address.announces.take(1, now, scale)) {
    connection.announces.refund(1);
    connection.refuse(
      'scrape',
      first,
      'TRACKER_RATE_LIMITED',
      'too many requests from this address',
    );
    return;
  }
  tracker.counters.add('scrapes');
  const files: Record<string, TrackerScrapeFile> = {};
  for (const infoHash of request.infoHashes) {
    const counts = tracker.swarms.get(infoHash)?.census.counts();
    files[infoHash] = {
      complete: counts?.complete ?? 0,
      incomplete: counts?.incomplete ?? 0,
      downloaded: 0,
    };
  }
  connection.send({ action: 'scrape', files });
}
