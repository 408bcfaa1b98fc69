/** Binary data-channel payloads and backpressure. */

/** Backpressure: `send` waits while the channel buffers more than this. */
export const HIGH_WATER_BYTES = 1 << 20;
export const LOW_WATER_BYTES = 256 * 1024;

/** The bytes of a binary message (ArrayBuffer or a view), or undefined for anything else. */
export function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** Resolves once the channel buffers at most `below` bytes, or is no longer open. */
export function drained(channel: RTCDataChannel, below = LOW_WATER_BYTES): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (channel.readyState !== 'open' || channel.bufferedAmount <= below) {
        channel.onbufferedamountlow = null;
        clearInterval(poll);
        resolve();
      }
    };
    // Some implementations (werift) have no bufferedamountlow event: poll as well.
    const poll = setInterval(check, 50);
    channel.onbufferedamountlow = check;
  });
}
