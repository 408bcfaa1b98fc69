/**
 * The encodings (sign bit cleared) of the eight points of small order on Ed25519, canonical and
 * not: the identity (y = 1, also as p + 1), y = 0 (order 4, also as p), y = p − 1 (order 2) and
 * the two y of order 8 — the list libsodium refuses.
 */
const SMALL_ORDER_HEX = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];
const SMALL_ORDER = SMALL_ORDER_HEX.map((hex) =>
  Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16)),
);

/**
 * Whether a raw 32-byte Ed25519 public key is a point of small order, whatever its sign bit.
 * Under such a key a signature whose R is of small order and whose S is 0 verifies for many
 * messages (OpenSSL, tried on 1,000: under the identity with R = it, every one; under the
 * all-zero key with the all-zero signature, one in four), so anyone can sign as it. No honest
 * key is one: node ids, DHT record keys, presence owners and people's identities must not be.
 */
export function isSmallOrderEd25519Key(raw: Uint8Array): boolean {
  if (raw.length !== 32) return false;
  return SMALL_ORDER.some((point) => {
    for (let i = 0; i < 31; i++) if (raw[i] !== point[i]) return false;
    return (raw[31]! & 0x7f) === point[31];
  });
}
