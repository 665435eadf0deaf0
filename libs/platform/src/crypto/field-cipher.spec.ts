import { randomBytes } from 'node:crypto';
import { FieldCipher } from './field-cipher';

const key = (fill: number) => Buffer.alloc(32, fill);
const cipherWith = (keyId: string, k: Buffer, retired: [string, Buffer][] = [], hashKey = key(9)) =>
  new FieldCipher(keyId, k, new Map(retired), hashKey);

/** Flips one bit at `offset` of a copy. */
function flip(data: Buffer, offset: number): Buffer {
  const copy = Buffer.from(data);
  copy[offset] ^= 0x01;
  return copy;
}

describe('FieldCipher', () => {
  const cipher = cipherWith('k1', key(1));
  const IBAN = 'NL87ABNA4193835510';

  it('round-trips a value and names the key that sealed it', () => {
    const sealed = cipher.seal(IBAN);
    expect(cipher.keyId).toBe('k1');
    expect(cipher.open(sealed, 'k1')).toBe(IBAN);
    expect(cipher.open(cipher.seal(''), 'k1')).toBe('');
    expect(cipher.open(cipher.seal('Jürgen ✓'), 'k1')).toBe('Jürgen ✓');
  });

  it('never stores the plaintext and uses a fresh IV each time', () => {
    const a = cipher.seal(IBAN);
    const b = cipher.seal(IBAN);
    expect(a.toString('latin1')).not.toContain(IBAN);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false);
    expect(a.length).toBe(12 + 16 + Buffer.byteLength(IBAN));
  });

  it('never reuses an IV, also across refills of its random pool', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 10_000; i++) ivs.add(cipher.seal('x').subarray(0, 12).toString('hex'));
    expect(ivs.size).toBe(10_000);
  });

  it('keeps earlier sealed values intact when the IV pool is refilled', () => {
    const first = cipher.seal(IBAN);
    const copy = Buffer.from(first);
    for (let i = 0; i < 5_000; i++) cipher.seal('x');
    expect(first.equals(copy)).toBe(true);
    expect(cipher.open(first, 'k1')).toBe(IBAN);
  });

  it.each([
    ['the IV', 0],
    ['the auth tag', 12],
    ['the ciphertext', 28],
  ])('refuses a value whose %s was tampered with', (_part, offset) => {
    const sealed = cipher.seal(IBAN);
    expect(() => cipher.open(flip(sealed, offset), 'k1')).toThrow();
  });

  it('refuses a value sealed with another key under the same ID', () => {
    const other = cipherWith('k1', key(2));
    expect(() => cipher.open(other.seal(IBAN), 'k1')).toThrow();
  });

  it('refuses a key ID it does not know', () => {
    expect(() => cipher.open(cipher.seal(IBAN), 'k0')).toThrow(
      'No key with ID k0 is configured to decrypt this value',
    );
  });

  it('decrypts with a retired key after rotation, and seals only with the active one', () => {
    const before = cipherWith('k1', key(1)).seal(IBAN);
    const rotated = cipherWith('k2', key(2), [['k1', key(1)]]);
    expect(rotated.open(before, 'k1')).toBe(IBAN);
    expect(rotated.keyId).toBe('k2');
    const after = rotated.seal(IBAN);
    expect(rotated.open(after, 'k2')).toBe(IBAN);
    expect(() => cipherWith('k1', key(1)).open(after, 'k2')).toThrow('No key with ID k2');
  });

  it('refuses an active key that is not 32 bytes', () => {
    expect(() => cipherWith('k1', randomBytes(16))).toThrow('Field encryption key must be 32 bytes');
  });

  describe('blind index', () => {
    it('is deterministic and 32 bytes', () => {
      const a = cipher.blindIndex(IBAN, 'financial-address');
      expect(a).toHaveLength(32);
      expect(cipherWith('k9', key(5)).blindIndex(IBAN, 'financial-address').equals(a)).toBe(true);
    });

    it('separates contexts and values', () => {
      const a = cipher.blindIndex(IBAN, 'financial-address');
      expect(cipher.blindIndex(IBAN, 'other-context').equals(a)).toBe(false);
      expect(cipher.blindIndex('NL64ABNA6201350640', 'financial-address').equals(a)).toBe(false);
      // The separator keeps (context, value) pairs that concatenate the same apart.
      expect(cipher.blindIndex('bc', 'a').equals(cipher.blindIndex('c', 'ab'))).toBe(false);
    });

    it('depends on the hash key, not on the encryption key', () => {
      const a = cipher.blindIndex(IBAN, 'financial-address');
      expect(cipherWith('k1', key(1), [], key(8)).blindIndex(IBAN, 'financial-address').equals(a)).toBe(
        false,
      );
    });
  });
});
