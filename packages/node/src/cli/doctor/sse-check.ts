import { randomBytes } from 'node:crypto';
import { parseRoomHash, parseWelcomeEvent } from '@sigmesh/protocol';
import { openRoomStream } from '../node-api-client.js';
import {
  describeFailure,
  fail,
  pass,
  warn,
  type CheckResult,
  type DoctorTarget,
} from './doctor-check.js';

/** A welcome slower than this (PoW included) works, but suggests a proxy holding events back. */
const SLOW_WELCOME_MS = 1500;

/**
 * Joins a random room (paying its PoW) and times the first event, `welcome`. A proxy that
 * buffers responses (nginx's default `proxy_buffering on`, or gzip on event streams) holds the
 * small events back: the welcome then arrives late or not before the timeout.
 */
export async function checkRoomStream(target: DoctorTarget): Promise<CheckResult> {
  const title = 'room stream (SSE through any proxy)';
  const room = parseRoomHash(randomBytes(20).toString('hex'));
  if (!room.ok) throw new Error('unreachable: a random room hash is valid');
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), target.timeoutMs);
  const stop = (): void => controller.abort();
  target.signal.addEventListener('abort', stop, { once: true });
  const started = performance.now();
  const buffered =
    'turn off response buffering for the event stream: nginx `proxy_buffering off;` (the node also sends `X-Accel-Buffering: no`), no gzip on text/event-stream, Caddy `flush_interval -1`';
  try {
    const stream = openRoomStream(target.url, room.value, controller.signal);
    const first = await stream.next();
    const ms = Math.round(performance.now() - started);
    await stream.return(undefined);
    if (first.done === true)
      return fail(title, 'the stream ended before its first event', buffered);
    const welcome = parseWelcomeEvent(JSON.parse(first.value.data));
    if (first.value.event !== 'welcome' || !welcome.ok)
      return fail(
        title,
        `the first event was "${first.value.event}", not a valid welcome`,
        buffered,
      );
    if (ms > SLOW_WELCOME_MS)
      return warn(title, `welcome after ${ms} ms (proof-of-work included)`, buffered);
    return pass(title, `welcome after ${ms} ms (proof-of-work included), events are not buffered`);
  } catch (error) {
    if (controller.signal.aborted && !target.signal.aborted)
      return fail(
        title,
        `no welcome within ${target.timeoutMs} ms: events are held back on the way`,
        buffered,
      );
    const code = (error as { code?: unknown }).code;
    return fail(
      title,
      `the join failed: ${typeof code === 'string' ? `${code} ` : ''}${describeFailure(error)}`,
      'see the checks above; a proxy must pass GET /room/HASH with its query string to the node',
    );
  } finally {
    clearTimeout(timer);
    target.signal.removeEventListener('abort', stop);
    controller.abort();
  }
}
