/**
 * Recomputes the connect-time statistics and breakdown from a marks file written by
 * connect-time.ts (one trial per line), without running anything:
 *
 *   node --conditions=source --import tsx bench/client/connect-report.ts bench/results/client-<date>-connectTime-marks.jsonl.gz
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { printSummary, summarizeTrials, trialStats, type Trial } from './connect-timeline.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: connect-report.ts MARKS.jsonl[.gz]');
const raw = readFileSync(file);
const trials = (file.endsWith('.gz') ? gunzipSync(raw) : raw)
  .toString('utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Trial);
const { stats, ratios } = trialStats(trials);
printSummary(stats, ratios, summarizeTrials(trials));
