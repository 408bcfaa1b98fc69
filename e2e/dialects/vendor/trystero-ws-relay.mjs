// Trystero's ws-relay strategy client, @trystero-p2p/ws-relay 0.25.3 (MIT, Copyright (c) 2021 Dan
// Motzenbecker): packages/ws-relay/src/index.ts of github.com/dmotz/trystero at commit dfdba65,
// with its types stripped by esbuild (transformSync, loader ts) and formatted by Prettier. The
// package is not on the npm registry, so the e2e test bundles this file with the registry's
// @trystero-p2p/core, as a build of the package would.
import {
  createRelayManager,
  createTopicStrategy,
  makeSocket,
  pauseRelayReconnection,
  resumeRelayReconnection,
  selfId,
  toJson,
} from '@trystero-p2p/core';
const relayManager = createRelayManager((client) => client.socket);
const msgHandlers = relayManager.scoped();
const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStrategyMessage = (value) => typeof value === 'string' || isRecord(value);
const parseServerMessage = (data) => {
  try {
    const msg = JSON.parse(data);
    return typeof msg.topic === 'string' && isStrategyMessage(msg.payload)
      ? { topic: msg.topic, payload: msg.payload }
      : null;
  } catch {
    return null;
  }
};
const publish = (topic, payload) => ({
  type: 'publish',
  topic,
  payload,
});
const subscribe = (topic) => ({
  type: 'subscribe',
  topic,
});
const unsubscribe = (topic) => ({
  type: 'unsubscribe',
  topic,
});
const joinRoom = createTopicStrategy({
  init: (config) =>
    config.relayConfig.urls.map((url) => {
      const client = relayManager.register(url, () =>
        makeSocket(url, (data) => {
          const msg = parseServerMessage(data);
          if (!msg) {
            return;
          }
          msgHandlers
            .forRelay(client)
            [msg.topic]?.forEach((handler) => handler(msg.topic, msg.payload));
        }),
      );
      return client.ready;
    }),
  subscribeTopic: (client, topic, onMessage) => {
    const handlers = msgHandlers.forRelay(client);
    const topicHandler = (topic2, data) => void onMessage(topic2, data);
    const wasEmpty = !handlers[topic];
    const topicHandlers = (handlers[topic] ??= /* @__PURE__ */ new Set());
    topicHandlers.add(topicHandler);
    if (wasEmpty) {
      client.send(toJson(subscribe(topic)));
    }
    return () => {
      const topicHandlers2 = handlers[topic];
      if (!topicHandlers2) {
        return;
      }
      topicHandlers2.delete(topicHandler);
      if (topicHandlers2.size === 0) {
        delete handlers[topic];
        client.send(toJson(unsubscribe(topic)));
      }
    };
  },
  publishTopic: (client, topic, msg) => client.send(toJson(publish(topic, msg))),
});
const getRelaySockets = relayManager.getSockets;
export { getRelaySockets, joinRoom, pauseRelayReconnection, resumeRelayReconnection, selfId };
