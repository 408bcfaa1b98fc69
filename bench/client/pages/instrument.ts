// Init script for every connect-time page (sigmesh and tracker alike), run before the page's own
// scripts: it records when each RTCPeerConnection is made, its ICE progress, when each data
// channel opens, every fetch, WebSocket message and PoW worker job — without touching the
// libraries under test, so both pages are measured by the same code.
import { epochNow, mark, type PageProbe } from './page-marks.js';

const probe: PageProbe = { marks: [], firstOpen: undefined };
(window as unknown as { __bench: PageProbe }).__bench = probe;

const pcIds = new WeakMap<RTCPeerConnection, number>();
let pcCount = 0;

function watchChannel(channel: RTCDataChannel, pc: number): void {
  mark('dc-new', channel.label, pc);
  channel.addEventListener('open', () => {
    const t = epochNow();
    probe.firstOpen ??= t;
    probe.marks.push({ t, kind: 'dc-open', detail: channel.label, ref: pc });
  });
}

const NativePeerConnection = window.RTCPeerConnection;
class InstrumentedPeerConnection extends NativePeerConnection {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    const id = ++pcCount;
    pcIds.set(this, id);
    const servers = (configuration?.iceServers ?? [])
      .flatMap((server) => (typeof server.urls === 'string' ? [server.urls] : server.urls))
      .map((url) => url.split(':')[0])
      .join(',');
    mark('pc-new', `ice servers: ${servers === '' ? 'none' : servers}`, id);
    const seen = new Set<string>();
    this.addEventListener('icecandidate', (event) => {
      const type = event.candidate?.type ?? 'end';
      if (seen.has(type)) return;
      seen.add(type);
      mark('ice-candidate', type, id);
    });
    this.addEventListener('icegatheringstatechange', () =>
      mark('ice-gathering', this.iceGatheringState, id),
    );
    this.addEventListener('iceconnectionstatechange', () =>
      mark('ice-connection', this.iceConnectionState, id),
    );
    this.addEventListener('connectionstatechange', () =>
      mark('connection', this.connectionState, id),
    );
    this.addEventListener('datachannel', (event) => watchChannel(event.channel, id));
  }
}
window.RTCPeerConnection = InstrumentedPeerConnection;

/**
 * Replaces the method `name` of `target` (a prototype or object) with one that runs `around`,
 * which calls the original through `call`.
 */
function patch(
  target: object,
  name: string,
  around: (call: () => unknown, self: unknown, args: readonly unknown[]) => unknown,
): void {
  const original: unknown = Reflect.get(target, name);
  if (typeof original !== 'function') return;
  Reflect.set(target, name, function (this: unknown, ...args: unknown[]) {
    return around(() => Reflect.apply(original, this, args), this, args);
  });
}

const pcOf = (self: unknown): number => pcIds.get(self as RTCPeerConnection) ?? 0;
const proto = NativePeerConnection.prototype;
patch(proto, 'createDataChannel', (call, self) => {
  const channel = call() as RTCDataChannel;
  watchChannel(channel, pcOf(self));
  return channel;
});
patch(proto, 'setLocalDescription', (call, self, args) => {
  const description = args[0] as RTCLocalSessionDescriptionInit | undefined;
  mark('set-local', description?.type ?? 'implicit', pcOf(self));
  return (call() as Promise<void>).then(() =>
    mark('set-local-done', (self as RTCPeerConnection).localDescription?.type ?? '', pcOf(self)),
  );
});
patch(proto, 'setRemoteDescription', (call, self, args) => {
  mark('set-remote', (args[0] as RTCSessionDescriptionInit | undefined)?.type ?? '', pcOf(self));
  return call();
});

/** What a fetch is for: method, port and path, and for room posts the payload kind. */
function describeFetch(input: RequestInfo | URL, init: RequestInit | undefined): string {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const url = new URL(href, location.href);
  const method = init?.method ?? 'GET';
  let what = `${method} :${url.port} ${url.pathname.replace(/\/room\/[^/]+/, '/room/R')}`;
  if (typeof init?.body === 'string') {
    // The plain form (issue 13 part 4): the JSON follows a token line and a session line.
    const plain = new Headers(init.headers).get('content-type')?.startsWith('text/plain') === true;
    const json = plain ? init.body.split('\n').slice(2).join('\n') : init.body;
    try {
      const body = JSON.parse(json) as {
        data?: { kind?: string; signals?: Array<{ type?: string }> };
        to?: string;
      };
      const signals = body.data?.signals?.map((signal) => signal.type).join('+');
      if (body.data?.kind !== undefined)
        what += ` ${body.data.kind}${signals === undefined ? '' : `(${signals})`}${body.to === undefined ? '' : ' to-one'}`;
    } catch {
      // not JSON: keep the path
    }
  }
  return what;
}

const nativeFetch = window.fetch.bind(window);
let fetchCount = 0;
window.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const id = ++fetchCount;
  const what = describeFetch(input, init);
  mark('fetch', what, id);
  try {
    const response = await nativeFetch(input, init);
    mark('fetch-done', `${what} ${response.status}`, id);
    return response;
  } catch (error) {
    mark('fetch-failed', `${what} ${String(error)}`, id);
    throw error;
  }
};

// The PoW solver's worker: jobs are `{ type: 'solve', id, difficulty }`, results `{ id, counter, ms }`.
const NativeWorker = window.Worker;
class InstrumentedWorker extends NativeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    mark('worker-new');
    this.addEventListener('message', (event: MessageEvent) => {
      const data = event.data as { id?: number; counter?: number; ms?: number; error?: string };
      if (typeof data.id === 'number')
        mark(
          'pow-done',
          data.error ?? `${(data.counter ?? 0) + 1} hashes in ${(data.ms ?? 0).toFixed(1)} ms`,
          data.id,
        );
    });
  }
}
window.Worker = InstrumentedWorker;
patch(NativeWorker.prototype, 'postMessage', (call, _self, args) => {
  const job = args[0] as { type?: string; id?: number; difficulty?: number } | undefined;
  if (job?.type === 'solve') mark('pow-start', `difficulty ${job.difficulty ?? 0}`, job.id);
  return call();
});

// The tracker client's WebSocket: announces with offers, offers and answers relayed.
function describeTrackerMessage(data: unknown): string {
  if (typeof data !== 'string') return 'binary';
  try {
    const message = JSON.parse(data) as {
      action?: string;
      offers?: unknown[];
      offer?: unknown;
      answer?: unknown;
      interval?: number;
    };
    const parts = [message.action ?? '?'];
    if (message.offers !== undefined) parts.push(`${message.offers.length} offers`);
    if (message.offer !== undefined) parts.push('offer');
    if (message.answer !== undefined) parts.push('answer');
    if (message.interval !== undefined) parts.push('reply');
    return parts.join(' ');
  } catch {
    return 'not JSON';
  }
}
const NativeWebSocket = window.WebSocket;
class InstrumentedWebSocket extends NativeWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols);
    mark('ws-new');
    this.addEventListener('open', () => mark('ws-open'));
    this.addEventListener('message', (event: MessageEvent) =>
      mark('ws-in', describeTrackerMessage(event.data)),
    );
  }
}
window.WebSocket = InstrumentedWebSocket;
patch(NativeWebSocket.prototype, 'send', (call, _self, args) => {
  mark('ws-out', describeTrackerMessage(args[0]));
  return call();
});

// WebCrypto the client uses for its identity and hellos (ECDSA P-256).
for (const name of ['generateKey', 'sign', 'verify']) {
  patch(window.crypto.subtle, name, (call) => {
    mark(`crypto-${name}`);
    return (call() as Promise<unknown>).finally(() => mark(`crypto-${name}-done`));
  });
}

addEventListener('DOMContentLoaded', () => mark('dom-content-loaded'));
