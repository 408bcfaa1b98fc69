/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML §9.2.6): feed it decoded text as it
 * arrives, get back the complete events. Comments and `id`/`retry` fields are ignored; lines are
 * bounded so a hostile server cannot make it buffer without limit.
 *
 * Two things found by fuzzing: a CRLF split across two chunks was two line ends (so an event was
 * dispatched early, and `data: a\r` + `\ndata: b\r\n\r\n` gave two events instead of one with
 * "a\nb"), and each chunk searched the whole unfinished line again, so a line trickled one
 * character at a time cost quadratic time (0.7 s for 64 KiB).
 */
export class SseParser {
  /** The unfinished line, in the pieces it arrived in: joined once, when its end arrives. */
  #pending: string[] = [];
  #pendingLength = 0;
  /** The last chunk ended in CR: a LF starting the next one completes that CRLF. */
  #afterCr = false;
  #event = '';
  #data: string[] = [];
  readonly #maxLine: number;

  constructor(maxLineBytes = 1 << 20) {
    this.#maxLine = maxLineBytes;
  }

  feed(text: string): SseEvent[] {
    if (text === '') return [];
    const chunk = this.#afterCr && text.startsWith('\n') ? text.slice(1) : text;
    this.#afterCr = false;
    const events: SseEvent[] = [];
    let start = 0;
    // Only the new text is searched: what is pending holds no line end.
    LINE_END.lastIndex = 0;
    for (let end = LINE_END.exec(chunk); end !== null; end = LINE_END.exec(chunk)) {
      const piece = chunk.slice(start, end.index);
      this.#line(this.#pending.length === 0 ? piece : this.#pending.join('') + piece, events);
      this.#pending = [];
      this.#pendingLength = 0;
      start = end.index + end[0].length;
      if (end[0] === '\r' && start === chunk.length) this.#afterCr = true;
    }
    if (start < chunk.length) {
      this.#pending.push(chunk.slice(start));
      this.#pendingLength += chunk.length - start;
    }
    if (this.#pendingLength > this.#maxLine) throw new RangeError('event-stream line too long');
    return events;
  }

  #line(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.#data.length > 0)
        events.push({
          event: this.#event === '' ? 'message' : this.#event,
          data: this.#data.join('\n'),
        });
      this.#event = '';
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.#event = value;
    else if (field === 'data') this.#data.push(value);
  }
}
