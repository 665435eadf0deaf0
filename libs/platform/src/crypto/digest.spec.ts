import { createHash } from 'node:crypto';
import { canonicalJson, digestOf, safeEqual, sha256Hex } from './digest';

describe('canonicalJson / digestOf', () => {
  const a = { RequestID: 'R1', Beneficiaries: [{ b: 2, a: 1 }], nested: { z: [3, { y: 1, x: 2 }], m: null } };
  const sameKeysReordered = {
    nested: { m: null, z: [3, { x: 2, y: 1 }] },
    Beneficiaries: [{ a: 1, b: 2 }],
    RequestID: 'R1',
  };

  it('sorts keys at every level, including inside arrays', () => {
    expect(canonicalJson(sameKeysReordered)).toBe(
      '{"Beneficiaries":[{"a":1,"b":2}],"RequestID":"R1","nested":{"m":null,"z":[3,{"x":2,"y":1}]}}',
    );
  });

  it('gives the same digest whatever the key order', () => {
    expect(canonicalJson(a)).toBe(canonicalJson(sameKeysReordered));
    expect(digestOf(a)).toBe(digestOf(sameKeysReordered));
    expect(digestOf(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps array order and values significant', () => {
    expect(digestOf([1, 2])).not.toBe(digestOf([2, 1]));
    expect(digestOf({ a: '1' })).not.toBe(digestOf({ a: 1 }));
    expect(digestOf({ a: 1 })).not.toBe(digestOf({ a: 1, b: null }));
  });

  it('is the SHA-256 of the canonical JSON', () => {
    expect(digestOf(a)).toBe(createHash('sha256').update(canonicalJson(a)).digest('hex'));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('handles scalars', () => {
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(42)).toBe('42');
  });
});

describe('safeEqual', () => {
  it('is true for equal strings only, whatever their lengths', () => {
    expect(safeEqual('token-1', 'token-1')).toBe(true);
    expect(safeEqual('token-1', 'token-2')).toBe(false);
    expect(safeEqual('token', 'token-1')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
