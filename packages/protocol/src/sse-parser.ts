/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML §9.2.6): feed it decoded text as it
 * arrives, get back the complete events. Comments and `id`/`retry` fields are ignored; lines are
 * bounded so a hostile server cannot make it buffer without limit.
 */
export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];
  readonly #maxLine: number;

  constructor(maxLineBytes = 1 << 20) {
    this.#maxLine = maxLineBytes;
  }

  feed(text: string): SseEvent[] {
    this.#buffer += text;
    const events: SseEvent[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.#buffer = this.#buffer.slice(newline + width);
      if (line === '') {
        if (this.#data.length > 0)
          events.push({
            event: this.#event === '' ? 'message' : this.#event,
            data: this.#data.join('\n'),
          });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.#event = value;
      else if (field === 'data') this.#data.push(value);
    }
    if (this.#buffer.length > this.#maxLine) throw new RangeError('event-stream line too long');
    return events;
  }
}
