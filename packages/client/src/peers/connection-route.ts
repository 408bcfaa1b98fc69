/** How a peer connection carries media and data. */
export type ConnectionRoute = 'direct' | 'relayed' | 'unknown';

interface StatsEntry {
  readonly type?: string;
  readonly id?: string;
  readonly state?: string;
  readonly nominated?: boolean;
  readonly selected?: boolean;
  readonly selectedCandidatePairId?: string;
  readonly localCandidateId?: string;
  readonly remoteCandidateId?: string;
  readonly candidateType?: string;
}

/** Reads the selected ICE candidate pair from getStats: relayed when either end is a TURN relay. */
export async function connectionRoute(pc: {
  getStats(): Promise<unknown>;
}): Promise<ConnectionRoute> {
  let report: Map<string, StatsEntry>;
  try {
    report = new Map((await pc.getStats()) as Iterable<[string, StatsEntry]>);
  } catch {
    return 'unknown';
  }
  const entries = [...report.values()];
  const transport = entries.find((entry) => entry.type === 'transport');
  const pair =
    (transport?.selectedCandidatePairId === undefined
      ? undefined
      : report.get(transport.selectedCandidatePairId)) ??
    entries.find(
      (entry) =>
        entry.type === 'candidate-pair' &&
        entry.state === 'succeeded' &&
        (entry.selected === true || entry.nominated === true),
    );
  if (pair?.localCandidateId === undefined || pair.remoteCandidateId === undefined)
    return 'unknown';
  const local = report.get(pair.localCandidateId)?.candidateType;
  const remote = report.get(pair.remoteCandidateId)?.candidateType;
  if (local === undefined || remote === undefined) return 'unknown';
  return local === 'relay' || remote === 'relay' ? 'relayed' : 'direct';
}
