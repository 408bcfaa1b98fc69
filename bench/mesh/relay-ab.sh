#!/usr/bin/env bash
# Relay cost, this tree against another checkout of sigmesh (the baseline), side by side: runs
# bench/mesh/mesh-relay.ts --skip-latency in each tree in turn, N times, then prints the ratio of
# node B's CPU per relayed message (the receiving node: where the mesh checks run).
#
#   bash bench/mesh/relay-ab.sh /path/to/baseline-checkout [pairs=3]
#
# The baseline needs its own `npm ci`. Results: each tree's bench/results/mesh-<date>.json under
# relay-ab-{base,this}-<n>, and bench/results/mesh-relay-ab-<date>.json with both and the ratio.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
base="$(cd "$1" && pwd)"
pairs="${2:-3}"
for i in $(seq 1 "$pairs"); do
  for tree in base this; do
    dir="$here"; [ "$tree" = base ] && dir="$base"
    (cd "$dir" && node --conditions=source --import tsx bench/mesh/mesh-relay.ts --skip-latency \
      --rounds 4 --seconds 3 --name "relay-ab-$tree-$i")
  done
done
node --conditions=source --import tsx "$here/bench/mesh/relay-ab-summary.ts" "$base" "$pairs"
