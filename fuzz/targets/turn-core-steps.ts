/**
 * The steps of a fuzzed TURN session (fuzz/targets/turn-core-target.ts): what each does, and the
 * fast-check arbitraries that generate them — ordinary sessions and huge attribute counts.
 */
import fc from 'fast-check';
import { byteMutation, type ByteMutation } from '../lib/byte-mutations.js';
import type { TransportAddress } from '../../packages/node/src/turn/ip-address.js';
import type { AttributeInput, StunClass } from '../../packages/node/src/turn/stun-message.js';
import { otherAttribute, peerAddress, transactionId, validAttribute } from './turn-seeds.js';

/** What a step does, before the byte damage common to all steps. */
export type Action =
  | { readonly kind: 'binding' }
  | { readonly kind: 'allocate'; readonly transport: number; readonly lifetime: number | undefined }
  | { readonly kind: 'refresh'; readonly lifetime: number }
  | { readonly kind: 'permission'; readonly peers: readonly TransportAddress[] }
  | { readonly kind: 'bind'; readonly channel: number; readonly peer: TransportAddress }
  | { readonly kind: 'send'; readonly peer: TransportAddress; readonly data: Uint8Array }
  | { readonly kind: 'channel-data'; readonly channel: number; readonly data: Uint8Array }
  | { readonly kind: 'from-peer'; readonly peer: TransportAddress; readonly data: Uint8Array }
  | { readonly kind: 'many-attributes'; readonly count: number; readonly cls: StunClass }
  | { readonly kind: 'noise'; readonly bytes: Uint8Array }
  | { readonly kind: 'tick'; readonly ms: number };

/** One step of a session. */
export interface Step {
  readonly action: Action;
  /** Over the client's TCP connection instead of UDP. */
  readonly tcp: boolean;
  /** Sign with the session's credentials (when a challenge gave us a nonce). */
  readonly auth: boolean;
  /** Attributes added before signing: integrity stays valid, content is odd. */
  readonly extra: readonly AttributeInput[];
  /** Damage after signing. */
  readonly damage: readonly ByteMutation[];
  readonly transactionId: Uint8Array;
}

const channel = fc.oneof(
  fc.constantFrom(0x4000, 0x4001, 0x7fff, 0x3fff, 0x8000, 0),
  fc.integer({ min: 0, max: 0xffff }),
);
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(1200, 65_500).map((n) => new Uint8Array(n)),
);

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant({ kind: 'binding' as const }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('allocate' as const),
      transport: fc.oneof(fc.constant(17), fc.integer({ min: 0, max: 255 })),
      lifetime: fc.option(fc.oneof(fc.constantFrom(0, 600, 0xffffffff), fc.nat()), {
        nil: undefined,
      }),
    }),
  },
  fc.record({
    kind: fc.constant('refresh' as const),
    lifetime: fc.oneof(fc.constantFrom(0, 600, 0xffffffff), fc.nat()),
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('permission' as const),
      peers: fc.array(peerAddress, { minLength: 0, maxLength: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('bind' as const), channel, peer: peerAddress }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('send' as const), peer: peerAddress, data: payload }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('channel-data' as const), channel, data: payload }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('from-peer' as const),
      peer: peerAddress,
      data: payload,
    }),
  },
  fc.record({
    kind: fc.constant('noise' as const),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
  }),
  fc.record({
    kind: fc.constant('tick' as const),
    ms: fc.constantFrom(1_000, 60_000, 301_000, 3_600_000),
  }),
);

const step: fc.Arbitrary<Step> = fc.record({
  action,
  tcp: fc.boolean(),
  auth: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  extra: fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    {
      weight: 1,
      arbitrary: fc.array(fc.oneof(validAttribute(new Uint8Array(12)), otherAttribute), {
        maxLength: 3,
      }),
    },
  ),
  damage: fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(byteMutation, { minLength: 1, maxLength: 2 }) },
  ),
  transactionId,
});

/**
 * A datagram with a huge count of attributes of distinct unknown comprehension-required types
 * (16,000 fit in 64 KB). Costly even when linear (~30 ms to frame and answer), so at most one per
 * session and in one session of 20: the time bound then tells linear from quadratic (~130 ms).
 */
const hugeStep: fc.Arbitrary<Step> = fc
  .tuple(
    step,
    fc.constantFrom(100, 4_000, 16_000),
    fc.constantFrom<StunClass>('request', 'indication'),
  )
  .map(([base, count, cls]) => ({ ...base, action: { kind: 'many-attributes', count, cls } }));

/** A session: first an unauthenticated Allocate (for the challenge), then the steps. */
export const session = fc
  .tuple(
    fc.array(step, { minLength: 1, maxLength: 8 }),
    fc.oneof({ weight: 19, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hugeStep }),
    fc.nat(),
  )
  .map(([steps, huge, at]) =>
    huge === undefined
      ? steps
      : [...steps.slice(0, at % (steps.length + 1)), huge, ...steps.slice(at % (steps.length + 1))],
  );
