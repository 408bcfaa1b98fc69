import { StringDecoder } from 'node:string_decoder';

/** One server-sent event: its name (`message` when none was given) and its data lines joined. */
export interface StreamEvent {
  readonly name: string;
  readonly data: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Reads an HTTP/1.1 response carrying server-sent events from raw socket bytes: the status line
 * and headers, chunked transfer coding (RFC 9112 §7.1) when the headers say so, then the event
 * stream itself (WHATWG HTML §9.2.6: events end at a blank line, `event:` names them, `data:`
 * lines are joined with `\n`, lines starting with `:` are comments). Pure: bytes in, events out.
 * The soak counts every delivery through it, so unlike a byte search it must never miscount an
 * event split across reads or across chunks.
 */
export class EventStreamReader {
  /** The response status; undefined until the headers are complete. */
  status: number | undefined;
  /** The response head (status line and headers), for error reports. */
  head = '';
  /** True once the body ended (the last chunk, size 0, was read). */
  ended = false;
  #headBytes: Buffer | undefined = Buffer.alloc(0);
  #chunked = false;
  /** Chunked decoding: bytes of the current chunk still to read, or a state between chunks. */
  #remaining = 0;
  #state: 'size' | 'data' | 'crlf' = 'size';
  #sizeLine = '';
  #crlfLeft = 0;
  readonly #decoder = new StringDecoder('utf8');
  #text = '';

  /** Feeds `bytes`; calls `onEvent` for every complete event in order. */
  push(bytes: Buffer, onEvent: (event: StreamEvent) => void): void {
    let body = bytes;
    if (this.#headBytes !== undefined) {
      const all = this.#headBytes.length === 0 ? bytes : Buffer.concat([this.#headBytes, bytes]);
      const end = all.indexOf(HEAD_END);
      if (end < 0) {
        this.#headBytes = all;
        return;
      }
      this.head = all.toString('latin1', 0, end);
      this.#headBytes = undefined;
      this.status = Number(this.head.slice(9, 12));
      this.#chunked = /\r\ntransfer-encoding:[^\r\n]*chunked/i.test(this.head);
      body = all.subarray(end + HEAD_END.length);
    }
    if (this.#chunked) this.#dechunk(body);
    else this.#text += this.#decoder.write(body);
    this.#events(onEvent);
  }

  #dechunk(bytes: Buffer): void {
    let at = 0;
    while (at < bytes.length && !this.ended) {
      if (this.#state === 'size') {
        const lf = bytes.indexOf(0x0a, at);
        if (lf < 0) {
          this.#sizeLine += bytes.toString('latin1', at);
          return;
        }
        this.#sizeLine += bytes.toString('latin1', at, lf);
        at = lf + 1;
        const size = Number.parseInt(this.#sizeLine.trim().split(';')[0] ?? '', 16);
        this.#sizeLine = '';
        if (!Number.isFinite(size)) throw new Error('bad chunk size line');
        if (size === 0) {
          this.ended = true;
          return;
        }
        this.#remaining = size;
        this.#state = 'data';
      } else if (this.#state === 'data') {
        const take = Math.min(this.#remaining, bytes.length - at);
        this.#text += this.#decoder.write(bytes.subarray(at, at + take));
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) {
          this.#state = 'crlf';
          this.#crlfLeft = 2;
        }
      } else {
        const skip = Math.min(this.#crlfLeft, bytes.length - at);
        at += skip;
        this.#crlfLeft -= skip;
        if (this.#crlfLeft === 0) this.#state = 'size';
      }
    }
  }

  #events(onEvent: (event: StreamEvent) => void): void {
    let start = 0;
    for (let end = this.#text.indexOf('\n\n'); end >= 0; end = this.#text.indexOf('\n\n', start)) {
      const block = this.#text.slice(start, end);
      start = end + 2;
      let name = 'message';
      let data: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'event') name = value;
        else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      }
      if (data !== undefined) onEvent({ name, data });
    }
    if (start > 0) this.#text = this.#text.slice(start);
  }
}
