import { roomBehaviourSuite } from '../../helpers/room-behaviour-suite.js';
import { startTestnet } from '../../helpers/test-testnet.js';
import { startTestNode } from '../../helpers/test-node.js';

roomBehaviourSuite('one node', async (t) => [(await startTestNode(t)).url()]);

roomBehaviourSuite('three nodes', async (t) =>
  (await startTestnet(t, { nodes: 3 })).nodes.map((node) => node.url()),
);
