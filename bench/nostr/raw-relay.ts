import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The baseline: the least a Nostr relay must do to fan Trystero's events out — parse each frame,
 * answer REQ with EOSE and EVENT with OK, and send `["EVENT", subId, event]` to every socket whose
 * REQ named the event's x tag. No id hash, no signature, no limits, no mesh.
 */
export async function startRawRelay(): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const byTopic = new Map<string, Map<WebSocket, string>>();
  wss.on('connection', (ws) => {
    const mine = new Set<string>();
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as unknown[];
      if (message[0] === 'REQ') {
        const subId = message[1] as string;
        const filter = message[2] as { '#x'?: string[] };
        for (const topic of filter['#x'] ?? []) {
          let subscribers = byTopic.get(topic);
          if (subscribers === undefined)
            byTopic.set(topic, (subscribers = new Map<WebSocket, string>()));
          subscribers.set(ws, subId);
          mine.add(topic);
        }
        ws.send(JSON.stringify(['EOSE', subId]));
      } else if (message[0] === 'EVENT') {
        const event = message[1] as { id: string; tags: string[][] };
        const topic = event.tags.find((tag) => tag[0] === 'x')?.[1];
        const json = JSON.stringify(event);
        for (const [socket, subId] of byTopic.get(topic ?? '') ?? [])
          socket.send(`["EVENT",${JSON.stringify(subId)},${json}]`);
        ws.send(JSON.stringify(['OK', event.id, true, '']));
      }
    });
    ws.on('close', () => {
      for (const topic of mine) byTopic.get(topic)?.delete(ws);
    });
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { port: address.port, close: () => new Promise((resolve) => wss.close(() => resolve())) };
}
